/** Something that happened, for the activity log: a start, a source going down or coming back. */
export interface PerfpilotEvent {
  readonly atMs: number;
  readonly kind: string;
  readonly environment: string | null;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface EventStore {
  appendEvent(event: PerfpilotEvent): Promise<void>;
  /** The newest events first. */
  recentEvents(limit: number): Promise<PerfpilotEvent[]>;
}
