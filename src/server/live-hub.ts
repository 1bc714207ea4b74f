import type { AnalysesPort, MetricsPort } from './api-ports.js';

/** Something the API pushes to the dashboard over server-sent events. */
export interface LiveEvent {
  readonly kind: string;
  readonly environment: string | null;
  readonly atMs: number;
}

/** A fan-out of live events: routes publish, SSE clients subscribe. */
export interface LiveHub {
  publish(event: LiveEvent): void;
  /** Calls `listener` for each event until the returned function is called; `onEnd` when the hub closes. */
  subscribe(listener: (event: LiveEvent) => void, onEnd?: () => void): () => void;
  /** Stops the watcher's timer and ends every subscription (so open streams do not hold up a shutdown). */
  close(): void;
}

/**
 * Publishes `snapshot` and `analysis` events when the store holds a newer one for an
 * environment, checking every `pollMs` while someone listens (the timer is unref'd, and a
 * check is skipped while the previous one runs).
 */
export function createLiveHub(metrics: MetricsPort, analyses: AnalysesPort, pollMs = 2000, now: () => number = Date.now): LiveHub {
  const listeners = new Map<(event: LiveEvent) => void, (() => void) | undefined>();
  const seen = new Map<string, string>();
  const publish = (event: LiveEvent) => {
    for (const listener of listeners.keys()) listener(event);
  };
  const newer = (key: string, value: string | undefined) => {
    if (value === undefined || seen.get(key) === value) return false;
    seen.set(key, value);
    return true;
  };
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || listeners.size === 0) return;
    busy = true;
    try {
      for (const env of await metrics.environments()) {
        const [snapshot, analysis] = await Promise.all([metrics.latestSnapshot(env), analyses.latestAnalysis(env)]);
        if (newer(`snapshot:${env}`, snapshot?.window.end)) publish({ kind: 'snapshot', environment: env, atMs: now() });
        if (newer(`analysis:${env}`, analysis?.analyzedAt)) publish({ kind: 'analysis', environment: env, atMs: now() });
      }
    } catch {
      // The next tick tries again: a store hiccup must not end the feed.
    } finally {
      busy = false;
    }
  }, pollMs);
  timer.unref();
  return {
    publish,
    subscribe(listener, onEnd) {
      listeners.set(listener, onEnd);
      return () => listeners.delete(listener);
    },
    close() {
      clearInterval(timer);
      const ends = [...listeners.values()];
      listeners.clear();
      for (const end of ends) end?.();
    },
  };
}
