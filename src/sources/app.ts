import type { z } from 'zod';
import { failureReason } from './failure-reason.js';
import { quantileMs } from '../instrument/duration-sketch.js';
import { SKETCH_PATH } from '../instrument/serve.js';
import type { WindowData } from '../instrument/sketch-envelope.js';
import { WindowAccumulator } from '../instrument/window-accumulator.js';
import type { FailureReason } from '../model/snapshot.js';
import { redactSecrets } from '../util/redact.js';
import { SketchEnvelopeSchema } from './app/sketch-envelope-schema.js';
import { reasonForHttpStatus } from './remote/failure-signals.js';
import { SourceError, type SampledSource, type SourceReadings, type TimedSample } from './source.js';

/**
 * One target's answer to one pull: the window since this source's previous pull of it, or why not.
 * `first` marks this source's first answer from the target: with no cursor yet, its window reaches
 * back to whatever pull came before (by anyone, or the service's start, hours ago maybe), so it only
 * sets the cursor and its requests are not counted, as a counter's first sample is a baseline.
 */
export type AppTargetPull =
  | { readonly target: string; readonly ok: true; readonly instance: string; readonly gap: boolean; readonly first?: true; readonly window: WindowData }
  | { readonly target: string; readonly ok: false; readonly message: string; readonly reason: FailureReason };

/** One pull of every target. Plain JSON, so the store can keep it. */
export interface AppSample {
  readonly targets: readonly AppTargetPull[];
}

export interface AppSourceOptions {
  /** Base URLs of instrumented services, e.g. http://127.0.0.1:9465 (`perf.serve`). */
  readonly targets: readonly string[];
}

/**
 * Instrumented applications (`perfpilot/instrument`). Each sample pulls every target's
 * `/perfpilot/v1/sketch` with this source's own cursor, so it gets each request exactly once even
 * when another perfpilot pulls the same services. `readings` merges the DDSketches and HLLs of all
 * targets and samples: the p99 is the p99 of every request, never an average of p99s. A target
 * that does not answer is named in the status detail and the rest are used; if none answers, the
 * sample fails.
 *
 * @example createAppSource({ targets: ['http://10.0.0.5:9465', 'http://10.0.0.6:9465'] })
 */
export function createAppSource(options: AppSourceOptions): SampledSource<AppSample> {
  const cursors = new Map<string, Cursor>();
  return {
    kind: 'sampled',
    name: 'app',
    async sample(signal) {
      const pulls = await Promise.all(options.targets.map((t) => pullTarget(t, cursors.get(t), signal)));
      // A sample that timed out is dropped by the collector: its cursors must not move either.
      signal.throwIfAborted();
      pulls.forEach(({ cursor }, i) => cursor !== null && cursors.set(options.targets[i]!, cursor));
      const targets = pulls.map((p) => p.pull);
      if (targets.every((t) => !t.ok)) {
        const failed = targets as Extract<AppTargetPull, { ok: false }>[];
        throw new SourceError(failed.map((t) => `${t.target}: ${t.message}`).join('; '), failed[0]!.reason);
      }
      return { targets };
    },
    readings: appReadings,
  };
}

/** Where this source is in a target's windows: `seq` counts the cuts of that one process. */
interface Cursor {
  readonly seq: number;
  readonly instance: string;
}

type Fetched =
  | { readonly ok: true; readonly envelope: z.infer<typeof SketchEnvelopeSchema> }
  | { readonly ok: false; readonly message: string; readonly reason: FailureReason };

/**
 * One target's pull, and its new cursor (null when it did not answer). A cursor names the process
 * it counts in: when the target answers as another instance (it restarted), the answer was cut
 * against a cursor that means nothing there, so everything the new process still holds is asked
 * for (`since=0`; `gap` says if it had already dropped some).
 */
async function pullTarget(target: string, cursor: Cursor | undefined, signal: AbortSignal): Promise<{ pull: AppTargetPull; cursor: Cursor | null }> {
  const shown = redactSecrets(target);
  let answer = await fetchSketch(target, cursor?.seq, signal);
  if (answer.ok && cursor !== undefined && answer.envelope.instance !== cursor.instance) answer = await fetchSketch(target, 0, signal);
  if (!answer.ok) return { pull: { target: shown, ok: false, message: answer.message, reason: answer.reason }, cursor: null };
  const { instance, gap, seq, startMs, endMs, http, db } = answer.envelope;
  const window = { startMs, endMs, http, db };
  const pull: AppTargetPull = cursor === undefined ? { target: shown, ok: true, instance, gap, first: true, window } : { target: shown, ok: true, instance, gap, window };
  return { pull, cursor: { seq, instance } };
}

async function fetchSketch(target: string, since: number | undefined, signal: AbortSignal): Promise<Fetched> {
  const failed = (message: string, reason: FailureReason): Fetched => ({ ok: false, message, reason });
  try {
    const url = new URL(SKETCH_PATH, target);
    if (since !== undefined) url.searchParams.set('since', String(since));
    const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
    if (!res.ok) {
      await res.body?.cancel();
      return failed(`answered ${res.status} ${res.statusText}`, reasonForHttpStatus(res.status));
    }
    const parsed = SketchEnvelopeSchema.safeParse(await res.json());
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return failed(`not a perfpilot v1 sketch: ${issue?.path.join('.')} ${issue?.message}`, 'bad_response');
    }
    return { ok: true, envelope: parsed.data };
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? cause : err;
    return failed((detail as Error).message ?? String(detail), failureReason(detail));
  }
}

/**
 * Pure: merges every target's windows in the samples (each is a delta since the previous pull,
 * so `baseline` is not needed; a target's first answer is not counted, see AppTargetPull). Throughput is, per target, its requests ÷ the span its windows
 * cover, summed over targets.
 */
export function appReadings(_baseline: TimedSample<AppSample> | null, samples: readonly TimedSample<AppSample>[]): SourceReadings {
  const merged = new WindowAccumulator(0, 0);
  const spans = new Map<string, { startMs: number; endMs: number; requests: number }>();
  const failures = new Map<string, string>();
  const answered = new Set<string>();
  let gaps = 0;
  for (const { data } of samples) {
    for (const pull of data.targets) {
      if (!pull.ok) {
        failures.set(pull.target, pull.message);
        answered.delete(pull.target);
        continue;
      }
      failures.delete(pull.target);
      answered.add(pull.target);
      if (pull.first) continue;
      if (pull.gap) gaps++;
      merged.absorb(pull.window);
      const key = `${pull.target} ${pull.instance}`;
      const span = spans.get(key);
      if (span === undefined) spans.set(key, { startMs: pull.window.startMs, endMs: pull.window.endMs, requests: pull.window.http.requests });
      else {
        span.startMs = Math.min(span.startMs, pull.window.startMs);
        span.endMs = Math.max(span.endMs, pull.window.endMs);
        span.requests += pull.window.http.requests;
      }
    }
  }
  let throughput: number | null = null;
  for (const span of spans.values()) {
    if (span.endMs > span.startMs) throughput = (throughput ?? 0) + span.requests / ((span.endMs - span.startMs) / 1000);
  }
  const total = new Set([...answered, ...failures.keys()]).size;
  const notes = [`${answered.size} of ${total} targets answered`];
  for (const [target, message] of failures) notes.push(`${target}: ${message}`);
  if (gaps > 0) notes.push(`${gaps} pull(s) missed windows the service had already dropped`);
  return {
    metrics: {
      application: {
        responseTime: { p50: quantileMs(merged.durations, 0.5), p90: quantileMs(merged.durations, 0.9), p99: quantileMs(merged.durations, 0.99) },
        errorRate: merged.requests === 0 ? null : merged.errors / merged.requests,
        throughput,
        // No window counted yet (only first answers): no data, not zero users.
        concurrentUsers: spans.size === 0 ? null : merged.users.estimate(),
      },
      database: {
        queryTime: { p50: quantileMs(merged.queryDurations, 0.5), p90: quantileMs(merged.queryDurations, 0.9), p99: quantileMs(merged.queryDurations, 0.99) },
      },
    },
    detail: notes.join('; '),
  };
}
