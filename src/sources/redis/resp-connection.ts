import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { SourceError } from '../source.js';

/**
 * The few Redis commands the source sends (AUTH, INFO, CONFIG GET), over RESP2 on one socket.
 * Hand-written instead of ioredis because that is all the collector needs, and ioredis costs
 * 3.4 MiB of RSS in the collecting process where this costs 0.6 (bench/RESULTS.md, collect).
 * The optimizer, which needs far more of Redis, still uses ioredis.
 */

/** An error reply from Redis (ERR, NOAUTH, WRONGPASS…), named as ioredis names it. */
export class RedisReplyError extends Error {
  override readonly name = 'ReplyError';
}

export type RespValue = string | number | null | RedisReplyError | RespValue[];

export interface RespConnection {
  /** Sends the commands in one write; resolves with their replies in order (error replies as values). */
  send(commands: readonly (readonly string[])[]): Promise<RespValue[]>;
  /** True once the socket is gone: open a new connection. */
  readonly closed: boolean;
  close(): void;
}

interface Pending {
  readonly count: number;
  readonly replies: RespValue[];
  resolve(replies: RespValue[]): void;
  reject(err: unknown): void;
}

/**
 * Connects to a `redis://` or `rediss://` (TLS) URL and authenticates with its user and
 * password, if any. INFO is server-wide, so the URL's database number is not selected.
 *
 * @example const c = await openRespConnection('redis://:secret@127.0.0.1:6379', 2_000); const [info] = await c.send([['INFO']]);
 */
export async function openRespConnection(url: string, connectTimeoutMs: number): Promise<RespConnection> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = Number(u.port || 6379);
  const socket: Socket = u.protocol === 'rediss:'
    ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host })
    : tcpConnect({ host, port });
  const connection = respOver(socket);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SourceError(`no connection to Redis at ${host}:${port} within ${connectTimeoutMs} ms`, 'timeout'));
    }, connectTimeoutMs);
    socket.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  const password = decodeURIComponent(u.password);
  if (password) {
    const user = decodeURIComponent(u.username);
    const [reply] = await connection.send([user ? ['AUTH', user, password] : ['AUTH', password]]);
    if (reply instanceof RedisReplyError) {
      connection.close();
      throw reply;
    }
  }
  return connection;
}

function respOver(socket: Socket): RespConnection {
  socket.setNoDelay(true);
  const pending: Pending[] = [];
  let buffer: Buffer = Buffer.alloc(0);
  let closed = false;
  let failure: unknown = null;

  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      let parsed: [RespValue, number] | null;
      try {
        parsed = parseReply(buffer, offset);
      } catch (err) {
        socket.destroy(err as Error);
        return;
      }
      if (!parsed) break;
      offset = parsed[1];
      const head = pending[0];
      if (!head) {
        socket.destroy(new SourceError('Redis sent a reply nobody asked for', 'bad_response'));
        return;
      }
      head.replies.push(parsed[0]);
      if (head.replies.length === head.count) {
        pending.shift();
        head.resolve(head.replies);
      }
    }
    buffer = buffer.subarray(offset);
  });
  socket.on('error', (err) => {
    failure = err;
  });
  socket.on('close', () => {
    closed = true;
    const err = failure ?? new SourceError('Redis closed the connection', 'network');
    for (const p of pending.splice(0)) p.reject(err);
  });

  return {
    get closed() {
      return closed;
    },
    send(commands) {
      if (closed) return Promise.reject(failure ?? new SourceError('Redis connection is closed', 'network'));
      return new Promise((resolve, reject) => {
        pending.push({ count: commands.length, replies: [], resolve, reject });
        socket.write(commands.map(encodeCommand).join(''));
      });
    },
    close() {
      socket.destroy();
    },
  };
}

function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Pure: one RESP2 reply at `offset`, and where the next begins; null while it is incomplete. */
export function parseReply(buffer: Buffer, offset: number): [RespValue, number] | null {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return null;
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (buffer[offset]) {
    case 0x2b: // +simple string
      return [line, next];
    case 0x2d: // -error
      return [new RedisReplyError(line), next];
    case 0x3a: // :integer
      return [Number(line), next];
    case 0x24: { // $bulk string, $-1 = null
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buffer.length < next + length + 2) return null;
      return [buffer.toString('utf8', next, next + length), next + length + 2];
    }
    case 0x2a: { // *array, *-1 = null
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (!item) return null;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    default:
      throw new SourceError(`not a Redis reply: it starts with byte ${buffer[offset]}`, 'bad_response');
  }
}
