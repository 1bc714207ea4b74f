import type { Analysis } from '../analyze/analysis.js';
import type { Logger } from '../log.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SampledSource } from '../sources/source.js';
import type { SampleStore } from '../store/sample-store.js';
import type { Store } from '../store/store.js';
import type { CollectPerformanceMetrics } from './collect-performance-metrics.js';
import { sampleAll, type SampleResult } from './sample-all.js';

/** Called with every analysis after it is stored (alerting hooks in here). */
export type AnalysisListener = (analysis: Analysis, snapshot: Snapshot) => Promise<void> | void;

export interface SchedulerOptions {
  readonly environment: string;
  readonly sources: readonly SampledSource[];
  readonly store: Store;
  /** Where samples are appended; default `store` (app.ts puts withRecentSamples in front of it). */
  readonly samples?: Pick<SampleStore, 'appendSamples'>;
  readonly collect: CollectPerformanceMetrics;
  readonly analyze: (snapshot: Snapshot) => Analysis;
  readonly logger: Logger;
  readonly intervalMs: number;
  /** The window analyzed at the end of each cycle. */
  readonly windowMs: number;
  /** Samples, snapshots, analyses and events older than this are deleted. */
  readonly retentionMs: number;
  /** Per source; default the interval, at most 5 s. */
  readonly sourceTimeoutMs?: number;
  /** How often retention runs; default once a minute. */
  readonly pruneEveryMs?: number;
  /** Run at the end of a cycle, at most every `fullGcEveryMs` (default 30 s): util/full-gc.ts says why. */
  readonly fullGc?: (() => void) | null;
  readonly fullGcEveryMs?: number;
  readonly listeners?: readonly AnalysisListener[];
  readonly now?: () => number;
}

/** What one cycle did. */
export interface CycleResult {
  readonly attempts: readonly SampleResult[];
  readonly analysis: Analysis | null;
}

export interface Scheduler {
  /** Runs a cycle now and then every interval. */
  start(): void;
  /** One cycle: sample, store, analyze the window, store and log. Null if one is already in flight. */
  runCycle(): Promise<CycleResult | null>;
  /** Stops the timer and waits for the cycle in flight, at most `waitMs` (then leaves it behind, logged). */
  stop(waitMs?: number): Promise<void>;
  /** Ticks skipped because the previous cycle was still running. */
  readonly skippedTicks: number;
}

/**
 * The collection loop. It never throws and never overlaps itself: a tick that finds a cycle
 * in flight is skipped. Each source has its own timeout, so one slow source cannot hold up
 * the others beyond it. The timer is unref()'d.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const now = options.now ?? Date.now;
  const { environment, store, logger } = options;
  const samples = options.samples ?? store;
  const sourceTimeoutMs = options.sourceTimeoutMs ?? Math.min(options.intervalMs, 5_000);
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  const fullGcEveryMs = options.fullGcEveryMs ?? 30_000;
  const lastStatus = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<CycleResult> | null = null;
  let lastPruneMs = -Infinity;
  let lastFullGcMs = now();
  let skippedTicks = 0;

  async function step<T>(what: string, work: () => Promise<T>): Promise<T | null> {
    try {
      return await work();
    } catch (err) {
      logger.error({ err, environment }, `${what} failed`);
      return null;
    }
  }

  async function recordStatusChanges(attempts: readonly SampleResult[]): Promise<void> {
    for (const a of attempts) {
      const status = a.ok ? 'ok' : 'error';
      if (lastStatus.get(a.source) === status) continue;
      const first = !lastStatus.has(a.source);
      lastStatus.set(a.source, status);
      if (first && a.ok) continue;
      if (!a.ok) logger.warn({ environment, source: a.source, reason: a.reason, message: a.message }, 'Source failed');
      else logger.info({ environment, source: a.source }, 'Source recovered');
      await store.appendEvent({ atMs: a.atMs, kind: a.ok ? 'source_recovered' : 'source_failed', environment, body: a.ok ? { source: a.source } : { source: a.source, reason: a.reason, message: a.message } });
    }
  }

  async function cycle(): Promise<CycleResult> {
    const startedMs = now();
    const attempts = await sampleAll(options.sources, sourceTimeoutMs, now);
    await step('Storing samples', () => samples.appendSamples(environment, attempts));
    logger.info({
      environment,
      sources: Object.fromEntries(attempts.map((a) => [a.source, a.ok ? 'ok' : 'error'])),
      durationMs: now() - startedMs,
    }, 'Performance metrics collected');
    await step('Recording source status', () => recordStatusChanges(attempts));

    const endMs = now();
    const analysis = await step('Performance analysis', async () => {
      const snapshot = await options.collect(environment, new Date(endMs - options.windowMs), new Date(endMs));
      const result = options.analyze(snapshot);
      await store.saveSnapshot(snapshot);
      await store.saveAnalysis(result);
      logger.info({ environment, status: result.status, issues: result.issues.map((i) => i.type), noData: result.noData.map((n) => n.rule) }, 'Performance analysis completed');
      for (const listener of options.listeners ?? []) await step('Analysis listener', async () => listener(result, snapshot));
      return result;
    });

    if (endMs - lastPruneMs >= pruneEveryMs) {
      lastPruneMs = endMs;
      const removed = await step('Retention', () => store.prune(endMs - options.retentionMs));
      if (removed && Object.values(removed).some((n) => n > 0)) logger.info({ environment, removed }, 'Old data removed');
    }
    // While the scheduler waits for the next tick, so that no sample waits for it.
    if (options.fullGc && now() - lastFullGcMs >= fullGcEveryMs) {
      lastFullGcMs = now();
      options.fullGc();
    }
    return { attempts, analysis };
  }

  function runCycle(): Promise<CycleResult | null> {
    if (inFlight) {
      skippedTicks++;
      logger.debug({ environment }, 'previous cycle still running; tick skipped');
      return Promise.resolve(null);
    }
    inFlight = cycle().finally(() => { inFlight = null; });
    return inFlight;
  }

  return {
    start() {
      if (timer) return;
      void runCycle();
      timer = setInterval(() => void runCycle(), options.intervalMs);
      timer.unref();
    },
    runCycle,
    async stop(waitMs = Infinity) {
      clearInterval(timer);
      timer = undefined;
      if (!inFlight) return;
      let waited: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        inFlight.then(() => true),
        new Promise<boolean>((resolve) => { if (Number.isFinite(waitMs)) waited = setTimeout(() => resolve(false), waitMs); }),
      ]);
      clearTimeout(waited);
      if (!finished) logger.warn({ environment, waitMs }, 'The cycle in flight did not finish in time; stopping without it');
    },
    get skippedTicks() {
      return skippedTicks;
    },
  };
}
