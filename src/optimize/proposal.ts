/** A setting's value as the target holds it: Redis and ElastiCache strings, CloudFront numbers. */
export type SettingValue = string | number;

/** Facts behind a proposal, by name, e.g. `{ keysWithTtlRatio: 0.1, rejectedWrites: 420 }`. */
export type Evidence = Readonly<Record<string, number | string | null>>;

/** One setting on one target: a Redis parameter, a parameter group entry, a CloudFront TTL. */
export interface Setting {
  /** The configured target's id (`redis://127.0.0.1:6379`, `elasticache:us-east-1/app-params`, …). */
  readonly target: string;
  /** What inside the target: "" for Redis, a behaviour or cache policy on CloudFront. */
  readonly resource: string;
  readonly parameter: string;
}

/** One proposed change, with why and what it should do. JSON-serializable. */
export interface Proposal extends Setting {
  readonly current: SettingValue | null;
  readonly proposed: SettingValue;
  readonly evidence: Evidence;
  readonly expectedEffect: string;
  readonly risk: string;
}

/** What a target looked like before a change: the readings verification compares against. */
export interface Baseline {
  readonly hitRate: number | null;
  readonly p99Ms: number | null;
}

/** Something the planner wants the operator to know that is not a change. */
export interface PlanNote {
  readonly target: string;
  readonly message: string;
}

/** A plan: `perfpilot optimize plan --json` prints it and `optimize apply PLAN` reads it back. */
export interface Plan {
  readonly id: string;
  readonly environment: string;
  readonly createdAt: string;
  readonly windowMs: number;
  readonly baselines: Readonly<Record<string, Baseline>>;
  readonly proposals: readonly Proposal[];
  readonly notes: readonly PlanNote[];
}

/** A setting's old and new value, as the audit log records it. */
export interface SettingChange extends Setting {
  readonly before: SettingValue | null;
  readonly after: SettingValue;
}
