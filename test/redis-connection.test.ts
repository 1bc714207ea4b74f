import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureReason } from '../src/sources/failure-reason.js';
import { createRedisSource } from '../src/sources/redis.js';
import { openRespConnection, parseReply, RedisReplyError } from '../src/sources/redis/resp-connection.js';
import { runCli } from './support/cli.js';
import { freePort } from './support/ports.js';
import { startProgram } from './support/program.js';

const signal = new AbortController().signal;

describe('RESP replies', () => {
  const parse = (text: string) => parseReply(Buffer.from(text), 0);

  it('reads each kind of reply and says where the next one begins', () => {
    expect(parse('+OK\r\n')).toEqual(['OK', 5]);
    expect(parse(':42\r\n')).toEqual([42, 5]);
    expect(parse('$5\r\nhé\r\n\r\n')).toEqual(['hé\r\n', 11]); // length in bytes; CRLF inside the payload
    expect(parse('$-1\r\n')).toEqual([null, 5]);
    expect(parse('*2\r\n$17\r\nmaxmemory-samples\r\n$1\r\n5\r\n')).toEqual([['maxmemory-samples', '5'], 35]);
    expect(parse('*0\r\n')).toEqual([[], 4]);
    const [error] = parse('-WRONGPASS invalid username-password pair\r\n')!;
    expect(error).toBeInstanceOf(RedisReplyError);
    expect((error as Error).message).toBe('WRONGPASS invalid username-password pair');
  });

  it('waits for the rest of a reply split across reads', () => {
    const whole = '*2\r\n$4\r\nINFO\r\n:7\r\n';
    for (let cut = 0; cut < whole.length; cut++) expect(parse(whole.slice(0, cut))).toBeNull();
    expect(parse(whole)).toEqual([['INFO', 7], whole.length]);
  });

  it('refuses bytes that are not RESP', () => {
    expect(() => parse('HTTP/1.1 400 Bad Request\r\n')).toThrow('not a Redis reply: it starts with byte 72');
  });
});

/** A private, diskless redis-server with the given extra arguments, listening on `port`. */
async function redisServer(args: readonly string[], port: number, children: ChildProcess[]): Promise<void> {
  children.push(await startProgram('redis-server', ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], port));
}

describe('redis source with a password, an ACL user and TLS', () => {
  const children: ChildProcess[] = [];
  let port = 0;
  let dir = '';
  beforeAll(async () => {
    port = await freePort();
    await redisServer(['--port', String(port), '--requirepass', 'adm!n s3cr3t'], port, children);
    const admin = await openRespConnection(`redis://:${encodeURIComponent('adm!n s3cr3t')}@127.0.0.1:${port}`, 2_000);
    const replies = await admin.send([
      ['ACL', 'SETUSER', 'reader', 'on', '>r3ad3r', '+info', '+config|get'],
      ['ACL', 'SETUSER', 'infoonly', 'on', '>1nf0', '+info'],
    ]);
    admin.close();
    expect(replies).toEqual(['OK', 'OK']);
    dir = await mkdtemp(join(tmpdir(), 'pp-redis-tls-'));
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const sampleOf = async (url: string) => {
    const source = createRedisSource({ url });
    try {
      return await source.sample(signal);
    } finally {
      await source.close?.();
    }
  };

  it('reads with the default user\'s password and with an ACL user', async () => {
    const asDefault = await sampleOf(`redis://:${encodeURIComponent('adm!n s3cr3t')}@127.0.0.1:${port}`);
    expect(asDefault.runId).toMatch(/^[0-9a-f]{40}$/);
    expect(asDefault.maxmemorySamples).toBe(5);
    const asReader = await sampleOf(`redis://reader:r3ad3r@127.0.0.1:${port}`);
    expect(asReader.runId).toBe(asDefault.runId);
    expect(asReader.maxmemorySamples).toBe(5);
  });

  it('leaves maxmemory-samples unknown where CONFIG is not allowed, as on managed Redis', async () => {
    const s = await sampleOf(`redis://infoonly:1nf0@127.0.0.1:${port}`);
    expect(s.maxmemorySamples).toBeNull();
    expect(s.usedMemoryBytes).toBeGreaterThan(0);
  });

  it('says auth on a wrong or a missing password, without showing the password', async () => {
    const failure = (url: string) => sampleOf(url).then(() => null, (e: Error) => e);
    const wrong = await failure(`redis://reader:n0tThis0ne@127.0.0.1:${port}`);
    expect(failureReason(wrong)).toBe('auth');
    expect(wrong?.message).toMatch(/^WRONGPASS/);
    expect(wrong?.message).not.toContain('n0tThis0ne');
    const missing = await failure(`redis://127.0.0.1:${port}`);
    expect(failureReason(missing)).toBe('auth');
    expect(missing?.message).toMatch(/^NOAUTH/);
  });

  it('speaks TLS for rediss://, and refuses a certificate it cannot verify', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const tlsPort = await freePort();
    await redisServer(['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-auth-clients', 'no', '--requirepass', 'tl5pass'], tlsPort, children);
    const url = `rediss://:tl5pass@localhost:${tlsPort}`;

    const untrusted = await sampleOf(url).then(() => null, (e: Error & { code?: string }) => e);
    expect(untrusted?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');

    // Trusting the certificate as an operator would (NODE_EXTRA_CA_CERTS), through the CLI.
    const config = join(dir, 'perfpilot.yaml');
    await writeFile(config, `sources:\n  host: false\n  redis: { url: "${url}" }\n  postgres: false\n`);
    const run = await runCli(['collect', '--config', config, '--duration', '200ms', '--json'], { env: { NODE_EXTRA_CA_CERTS: cert } });
    expect(run.code, run.stderr).toBe(0);
    const snapshot = JSON.parse(run.stdout);
    expect(snapshot.sources.redis).toEqual({ status: 'ok' });
    expect(snapshot.metrics.cache.memory.used).toBeGreaterThan(0);
    expect(run.stdout + run.stderr).not.toContain('tl5pass');
  });
});
