import type { Logger } from '../log.js';
import type { AlertStore, OutboxItem } from '../store/alert-store.js';
import type { Channel } from './notification.js';
import { attemptOutcome, recordAttempt, type Backoff } from './record.js';
import { attemptDelivery } from './retry.js';

export interface DeliveryLoopOptions extends Backoff {
  readonly store: AlertStore;
  readonly channels: ReadonlyMap<string, Channel>;
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Run before each pass, e.g. the router's `flushDue` (group timers). */
  readonly beforePass?: () => Promise<void>;
  readonly pollMs?: number;
  readonly now?: () => number;
}

export interface DeliveryLoop {
  start(): void;
  /** One pass: at most one due item per channel. Returns how many were attempted. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Delivers the outbox: per channel strictly oldest first (the next item waits until the
 * head is delivered or given up on), channels independent of each other. An item is marked
 * delivered only after the receiver accepted it, so a crash at any point re-sends, never
 * loses (at least once). Never throws; its timer is unref()'d.
 */
export function createDeliveryLoop(options: DeliveryLoopOptions): DeliveryLoop {
  const { store, channels, logger } = options;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let inFlight: Promise<number> | null = null;

  async function deliver(item: OutboxItem): Promise<void> {
    const channel = channels.get(item.channel);
    if (!channel) {
      await recordAttempt(store, item, { atMs: now(), outcome: 'failed', reason: 'not_found', error: `channel "${item.channel}" is no longer configured` }, logger);
      return;
    }
    const result = await attemptDelivery(channel, item.notification, `perfpilot-${item.id}`, options.timeoutMs);
    await recordAttempt(store, item, attemptOutcome(item, result, now(), options), logger);
  }

  async function runOnce(): Promise<number> {
    try {
      await options.beforePass?.();
      const due = (await store.outboxHeads()).filter((h) => h.nextAttemptMs <= now());
      await Promise.all(due.map(deliver));
      return due.length;
    } catch (err) {
      logger.error({ err }, 'Alert delivery pass failed');
      return 0;
    }
  }

  async function loop(): Promise<void> {
    if (!running) return;
    inFlight = runOnce();
    const attempted = await inFlight;
    inFlight = null;
    if (!running) return;
    timer = setTimeout(() => void loop(), attempted > 0 ? 0 : pollMs);
    timer.unref();
  }

  return {
    start() {
      if (running) return;
      running = true;
      void loop();
    },
    runOnce,
    async stop() {
      running = false;
      clearTimeout(timer);
      if (inFlight) await inFlight;
    },
  };
}
