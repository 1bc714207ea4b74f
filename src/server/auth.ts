import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { PerfpilotError } from '../errors.js';

/** The tokens the API accepts. `read` null: reading needs no token (the 127.0.0.1 default). */
export interface ApiTokens {
  readonly write: string;
  readonly read: string | null;
}

export interface LoadedTokens {
  readonly tokens: ApiTokens;
  /** True when the write token was generated now: the caller prints it, once. */
  readonly generated: boolean;
  /** Where the write token is kept, when it is kept in a file. */
  readonly path: string | null;
}

/**
 * The write token from PERFPILOT_TOKEN, else from `<dataDir>/token`, else a new one written
 * there with mode 0600. The read token comes from PERFPILOT_READ_TOKEN only.
 *
 * @example
 * const { tokens, generated } = await loadTokens('.perfpilot', process.env);
 * if (generated) console.log(`API token (shown once): ${tokens.write}`);
 */
export async function loadTokens(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedTokens> {
  const read = env.PERFPILOT_READ_TOKEN?.trim() || null;
  const fromEnv = env.PERFPILOT_TOKEN?.trim();
  if (fromEnv) return { tokens: { write: fromEnv, read }, generated: false, path: null };
  const path = join(dataDir, 'token');
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    if (stored) return { tokens: { write: stored, read }, generated: false, path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('base64url');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'w' });
  return { tokens: { write: token, read }, generated: true, path };
}

/** Compares in constant time, whatever the lengths (both sides are hashed first). */
export function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1]! : null;
}

function unauthorized(reply: FastifyReply, given: string | null): never {
  reply.header('www-authenticate', given === null ? 'Bearer realm="perfpilot"' : 'Bearer realm="perfpilot", error="invalid_token"');
  throw new PerfpilotError(given === null ? 'missing bearer token' : 'wrong bearer token', { httpStatus: 401, exitCode: 77 });
}

/** preHandlers for the two kinds of route: `write` (changes something) and `read`. */
export interface AuthGuards {
  readonly write: preHandlerAsyncHookHandler;
  readonly read: preHandlerAsyncHookHandler;
}

export function createAuthGuards(tokens: ApiTokens): AuthGuards {
  return {
    async write(request, reply) {
      const given = bearer(request);
      if (given === null || !sameToken(given, tokens.write)) unauthorized(reply, given);
    },
    async read(request, reply) {
      if (tokens.read === null) return;
      const given = bearer(request);
      if (given === null || !(sameToken(given, tokens.read) || sameToken(given, tokens.write))) unauthorized(reply, given);
    },
  };
}
