import type { Logger } from '../log.js';
import type { AlertStore, DeliveryAttempt, OutboxItem } from '../store/alert-store.js';
import type { NotifyResult } from './notification.js';
import { backoffMs } from './retry.js';

export interface Backoff {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly random?: () => number;
}

/** What an attempt's result means for the outbox item. Pure. */
export function attemptOutcome(item: OutboxItem, result: NotifyResult, nowMs: number, backoff: Backoff): DeliveryAttempt {
  if (result.ok) return { atMs: nowMs, outcome: 'delivered' };
  if (!result.retryable) return { atMs: nowMs, outcome: 'failed', reason: result.reason, error: result.message };
  const wait = backoffMs(item.attempts + 1, backoff.initialBackoffMs, backoff.maxBackoffMs, backoff.random);
  return { atMs: nowMs, outcome: 'retry', reason: result.reason, error: result.message, nextAttemptMs: nowMs + wait };
}

/** The record stage: stores the attempt and logs it. */
export async function recordAttempt(store: AlertStore, item: OutboxItem, attempt: DeliveryAttempt, logger: Logger): Promise<void> {
  await store.recordDelivery(item.id, attempt);
  const fields = { channel: item.channel, outboxId: item.id, attempt: item.attempts + 1, groupKey: item.notification.groupKey };
  if (attempt.outcome === 'delivered') logger.info({ ...fields, status: item.notification.status }, 'Alert delivered');
  else if (attempt.outcome === 'retry') logger.warn({ ...fields, reason: attempt.reason, error: attempt.error, retryInMs: attempt.nextAttemptMs - attempt.atMs }, 'Alert delivery failed; will retry');
  else logger.error({ ...fields, reason: attempt.reason, error: attempt.error }, 'Alert delivery failed; giving up on this notification');
}
