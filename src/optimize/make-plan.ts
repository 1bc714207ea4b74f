import type { TargetEvidence } from './cache-target.js';
import { planCloudFront } from './plan-cloudfront.js';
import { planElastiCache } from './plan-elasticache.js';
import { planRedis } from './plan-redis.js';
import type { Baseline, Plan, PlanNote, Proposal } from './proposal.js';

/** The store's readings of a target over the analysis window, which its baseline is then taken from. */
export interface StoredBaseline extends Baseline {
  readonly target: string;
}

export interface MakePlanInput {
  readonly environment: string;
  readonly evidence: readonly TargetEvidence[];
  readonly windowMs: number;
  /** The application's p99 over the window, the baseline verification compares against. */
  readonly p99Ms: number | null;
  /**
   * Set for the Redis the store samples: its baseline is these readings over the analysis
   * window rather than the plan's own watch, which the server keeps to a few seconds.
   */
  readonly stored?: StoredBaseline | null;
  readonly now: Date;
}

/**
 * The optimizer's planner: evidence in, proposals out. Pure; the clock is `now`.
 * `noeviction` is never proposed, whatever a rule says.
 */
export function makePlan(input: MakePlanInput): Plan {
  const proposals: Proposal[] = [];
  const notes: PlanNote[] = [];
  const baselines: Record<string, Baseline> = {};
  for (const e of input.evidence) {
    const found = e.type === 'redis' ? { proposals: planRedis(e), notes: [] }
      : e.type === 'elasticache' ? planElastiCache(e)
      : planCloudFront(e);
    proposals.push(...found.proposals.filter((p) => !(p.parameter === 'maxmemory-policy' && p.proposed === 'noeviction')));
    notes.push(...found.notes);
    baselines[e.target] = input.stored?.target === e.target
      ? { hitRate: input.stored.hitRate, p99Ms: input.stored.p99Ms }
      : { hitRate: e.type === 'cloudfront' ? e.hitRate : e.window.hitRate, p99Ms: input.p99Ms };
    if (found.proposals.length === 0 && found.notes.length === 0) notes.push({ target: e.target, message: 'nothing to change: the evidence supports the current settings' });
  }
  return {
    id: `plan-${input.now.toISOString().replace(/[-:.]/g, '')}`,
    environment: input.environment,
    createdAt: input.now.toISOString(),
    windowMs: input.windowMs,
    baselines,
    proposals,
    notes,
  };
}
