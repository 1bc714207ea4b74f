import type { SourceStatus } from '../model/snapshot.js';
import type { QueryResult } from './query-all.js';

/** A remote source's status for a window, from its answer: ok with the reading's detail, or the error. */
export function queryStatus(result: QueryResult): SourceStatus {
  if (!result.ok) return { status: 'error', message: result.message, reason: result.reason };
  return result.readings.detail ? { status: 'ok', detail: result.readings.detail } : { status: 'ok' };
}
