import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { PerfpilotError } from '../errors.js';
import { redactSecrets } from '../util/redact.js';

/** Bad input from a caller: a 400 that names the field and says why. */
export class InputError extends PerfpilotError {
  constructor(readonly field: string, readonly why: string) {
    super(`${field}: ${why}`, { exitCode: 64, httpStatus: 400 });
    this.name = 'InputError';
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly status: number; readonly message: string; readonly field?: string };
}

/**
 * Validates `value` against `schema`; on failure throws an InputError naming the first bad
 * field as `<where>.<path>` (e.g. `query.from`), with zod's reason.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'body' | 'params'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const why = issue.code === 'unrecognized_keys' ? 'unknown parameter' : issue.message;
  throw new InputError([where, ...path.map(String)].join('.'), why);
}

/** The one place an error becomes an HTTP answer. Messages are redacted; 5xx details stay in the log. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: { status: 404, message: `no route ${request.method} ${redactSecrets(request.url.split('?')[0]!)}` } };
    return reply.status(404).type('application/json').send(body);
  });
  app.setErrorHandler((err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = errorAnswer(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    return reply.status(status).type('application/json').send(body);
  });
}

function errorAnswer(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof InputError) {
    return { status: 400, body: { error: { status: 400, message: redactSecrets(err.message), field: err.field } } };
  }
  if (err instanceof PerfpilotError) {
    const status = err.httpStatus;
    const message = status >= 500 ? 'internal error' : redactSecrets(err.message);
    return { status, body: { error: { status, message } } };
  }
  const statusCode = (err as FastifyError | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = redactSecrets((err as Error).message);
    // Fastify's content-type parser: the body itself is what is wrong (bad JSON, too large, wrong type).
    const field = (err as FastifyError).code?.startsWith('FST_ERR_CTP_') ? { field: 'body' } : {};
    return { status: statusCode, body: { error: { status: statusCode, message, ...field } } };
  }
  return { status: 500, body: { error: { status: 500, message: 'internal error' } } };
}
