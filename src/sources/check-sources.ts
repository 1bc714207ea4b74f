import { sampleAll } from '../collect/sample-all.js';
import { queryAll } from '../collect/query-all.js';
import { queryStatus } from '../collect/query-status.js';
import type { SourceStatus } from '../model/snapshot.js';
import type { QueriedSource, SampledSource, Source } from './source.js';

/** One source's answer to `perfpilot sources test`. */
export type SourceCheck = { readonly source: string } & SourceStatus;

export interface CheckOptions {
  /** Remote sources are asked for the window that ends now and lasts this long. */
  readonly windowMs: number;
  /** Deadline for one sample of a local source. */
  readonly sampleTimeoutMs: number;
  /** Deadline for a remote source's whole query, retries included (each has its own per-request timeout). */
  readonly queryTimeoutMs: number;
  readonly now?: () => number;
}

/**
 * Checks every configured source once: a local source takes one sample; a remote one is asked
 * for the last window. Never throws: each failure becomes an `error` status with its reason and
 * the source's own explanation of what to fix. Sources that are off are listed as not configured.
 *
 * @example
 * const { sources, notConfigured } = createSources(config);
 * const checks = await checkSources(sources, notConfigured, { windowMs: 300_000, sampleTimeoutMs: 5000, queryTimeoutMs: 30_000 });
 */
export async function checkSources(sources: readonly Source[], notConfigured: readonly string[], options: CheckOptions): Promise<SourceCheck[]> {
  const now = options.now ?? Date.now;
  const sampled = sources.filter((s): s is SampledSource => s.kind === 'sampled');
  const queried = sources.filter((s): s is QueriedSource => s.kind === 'queried');
  const endMs = now();
  const [samples, answers] = await Promise.all([
    sampleAll(sampled, options.sampleTimeoutMs, now),
    queryAll(queried, { startMs: endMs - options.windowMs, endMs }, options.queryTimeoutMs),
  ]);
  const checks = new Map<string, SourceCheck>();
  for (const s of samples) {
    checks.set(s.source, s.ok ? { source: s.source, status: 'ok' } : { source: s.source, status: 'error', message: s.message, reason: s.reason });
  }
  for (const a of answers) checks.set(a.source, { source: a.source, ...queryStatus(a) });
  return [...sources.map((s) => checks.get(s.name)!), ...notConfigured.map((source): SourceCheck => ({ source, status: 'not_configured' }))];
}
