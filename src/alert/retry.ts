import { withTimeout } from '../util/timeout.js';
import { failureForError } from './failure-reason.js';
import type { Channel, Notification, NotifyResult } from './notification.js';

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * min(max, initial·2ⁿ⁻¹). Pure, with the randomness injected.
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The retry stage's one attempt: the channel under a timeout; a throw becomes a retryable failure. */
export async function attemptDelivery(channel: Channel, notification: Notification, idempotencyKey: string, timeoutMs: number): Promise<NotifyResult> {
  try {
    return await withTimeout(`channel ${channel.name}`, timeoutMs, (signal) => channel.notify(notification, { signal, idempotencyKey }));
  } catch (err) {
    return failureForError(err);
  }
}
