import type { AlertState } from '../analyze/alert-state.js';
import type { GroupState } from '../alert/dedup.js';
import type { DeliveryReason, Notification } from '../alert/notification.js';
import type { Silence } from '../alert/silence.js';

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** One notification for one channel, waiting in or done with the outbox. Ids grow with time. */
export interface OutboxItem {
  readonly id: number;
  readonly channel: string;
  readonly createdMs: number;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptMs: number;
  readonly lastReason: DeliveryReason | null;
  readonly lastError: string | null;
  readonly deliveredMs: number | null;
  readonly notification: Notification;
}

/** The outcome of one delivery attempt. */
export type DeliveryAttempt =
  | { readonly atMs: number; readonly outcome: 'delivered' }
  | { readonly atMs: number; readonly outcome: 'retry'; readonly reason: DeliveryReason; readonly error: string; readonly nextAttemptMs: number }
  | { readonly atMs: number; readonly outcome: 'failed'; readonly reason: DeliveryReason; readonly error: string };

/** Everything one router pass changes, written in one transaction. */
export interface AlertChange {
  readonly states: readonly AlertState[];
  readonly groups: readonly GroupState[];
  /** Group keys whose state is dropped (nothing left to tell). */
  readonly droppedGroups: readonly string[];
  readonly outbox: readonly Notification[];
  readonly atMs: number;
}

/** The latest notification about one alert on one channel, and how its delivery went. */
export interface AlertDelivery {
  readonly fingerprint: string;
  readonly channel: string;
  readonly outboxId: number;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly lastReason: DeliveryReason | null;
  readonly lastError: string | null;
  readonly deliveredMs: number | null;
}

/** Alert states per environment and fingerprint, the outbox, deliveries and silences. */
export interface AlertStore {
  alertStates(environment?: string): Promise<AlertState[]>;
  groupStates(): Promise<GroupState[]>;
  commitAlerts(change: AlertChange): Promise<void>;
  /** The oldest pending item of every channel: delivery is in order per channel. */
  outboxHeads(): Promise<OutboxItem[]>;
  recordDelivery(id: number, attempt: DeliveryAttempt): Promise<void>;
  /** Per alert and channel, the latest notification's delivery. */
  alertDeliveries(fingerprints: readonly string[]): Promise<AlertDelivery[]>;
  outboxItems(options?: { readonly channel?: string; readonly limit?: number }): Promise<OutboxItem[]>;
  addSilence(silence: Silence): Promise<void>;
  silences(options?: { readonly activeAtMs?: number }): Promise<Silence[]>;
  /** Ends a silence now; false when there is no such silence or it already ended. */
  expireSilence(id: string, nowMs: number): Promise<boolean>;
}
