import type { FailureReason } from '../model/snapshot.js';
import type { QueriedSource, SourceReadings } from '../sources/source.js';
import { redactSecrets } from '../util/redact.js';
import { withTimeout } from '../util/timeout.js';
import { errorMessage, failureReason } from '../sources/failure-reason.js';
import type { WindowMs } from './window-snapshot.js';

/** One remote source's answer for a window, or why it has none. */
export type QueryResult =
  | { readonly source: string; readonly ok: true; readonly readings: SourceReadings }
  | { readonly source: string; readonly ok: false; readonly message: string; readonly reason: FailureReason };

/** Asks every queried source for the window in parallel, each under its own timeout. Never throws. */
export async function queryAll(sources: readonly QueriedSource[], window: WindowMs, timeoutMs: number): Promise<QueryResult[]> {
  return Promise.all(sources.map(async (source): Promise<QueryResult> => {
    try {
      const readings = await withTimeout(`source ${source.name}`, timeoutMs, (signal) => source.query(window, signal));
      return { source: source.name, ok: true, readings };
    } catch (err) {
      return { source: source.name, ok: false, message: redactSecrets(errorMessage(err)), reason: failureReason(err) };
    }
  }));
}
