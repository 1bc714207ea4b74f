/** One alert inside a notification, as Alertmanager describes alerts. */
export interface NotificationAlert {
  readonly status: 'firing' | 'resolved';
  /** Identity labels plus `severity`. */
  readonly labels: Readonly<Record<string, string>>;
  /** `description`, `recommendation`, `value`. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  /** Set once resolved; null while firing. */
  readonly endsAt: string | null;
  readonly fingerprint: string;
}

/**
 * What one channel is told about one group at one moment. Stored as is in the outbox and
 * rendered into each channel's own format only when delivered.
 */
export interface Notification {
  readonly channel: string;
  readonly groupKey: string;
  /** `firing` if any alert in it fires. */
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly alerts: readonly NotificationAlert[];
  readonly externalUrl: string;
  readonly createdAt: string;
}

/** The closed set of reasons a delivery fails, shown in `perfpilot alerts`. */
export type DeliveryReason = 'auth' | 'throttled' | 'network' | 'timeout' | 'bad_response' | 'not_found';

/** What a channel answers: delivered, or why not and whether to try again. */
export type NotifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: DeliveryReason; readonly message: string };

/** A channel: one small adapter that sends a notification in its own format. */
export interface Channel {
  readonly name: string;
  readonly type: string;
  notify(notification: Notification, context: NotifyContext): Promise<NotifyResult>;
}

export interface NotifyContext {
  readonly signal: AbortSignal;
  /** The same on every attempt of one outbox item: receivers can drop repeats with it. */
  readonly idempotencyKey: string;
}
