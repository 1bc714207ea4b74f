import { randomUUID } from 'node:crypto';
import { PerfpilotError } from '../errors.js';
import type { AlertStore } from '../store/alert-store.js';
import { parseMatcher, type Silence } from './silence.js';

export interface NewSilence {
  /** "k=v", "k!=v", "k=~re", "k!~re"; all must match. */
  readonly matchers: readonly string[];
  readonly durationMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** Adds a silence from now for `durationMs`. Bad matchers are an input error (exit 64, HTTP 400). */
export async function addSilence(store: AlertStore, input: NewSilence, nowMs: number): Promise<Silence> {
  if (input.matchers.length === 0) throw new PerfpilotError('a silence needs at least one matcher, e.g. --matcher alertname=high_latency', { exitCode: 64, httpStatus: 400 });
  const matchers = input.matchers.map((text) => {
    const m = parseMatcher(text);
    if (!m) throw new PerfpilotError(`matcher "${text}": expected name=value, name!=value, name=~regex or name!~regex`, { exitCode: 64, httpStatus: 400 });
    return m;
  });
  if (!(input.durationMs > 0)) throw new PerfpilotError('a silence needs a duration greater than 0', { exitCode: 64, httpStatus: 400 });
  const silence: Silence = { id: randomUUID(), matchers, startsMs: nowMs, endsMs: nowMs + input.durationMs, createdBy: input.createdBy, comment: input.comment };
  await store.addSilence(silence);
  return silence;
}

/** Ends a silence now; a missing or already ended one is "not found" (exit 1, HTTP 404). */
export async function expireSilence(store: AlertStore, id: string, nowMs: number): Promise<void> {
  if (!(await store.expireSilence(id, nowMs))) throw new PerfpilotError(`no active silence with id ${id}`, { exitCode: 1, httpStatus: 404 });
}
