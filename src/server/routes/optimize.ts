import { z } from 'zod';
import { PlanSchema } from '../../optimize/plan-schema.js';
import type { ApplyResult } from '../../optimize/apply-plan.js';
import type { Progress } from '../../optimize/cache-target.js';
import type { Plan } from '../../optimize/proposal.js';
import type { OptimizationRecord } from '../../store/audit-store.js';
import { PerfpilotError } from '../../errors.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { LiveHub } from '../live-hub.js';
import { EnvParam } from '../api-schemas.js';

/** What the optimize routes call: the optimizer core bound to its targets and audit log. */
export interface OptimizerPort {
  /** The newest plan for the environment, made now if there is none recent (each plan samples the Redis keyspace). */
  latestPlan(environment: string): Promise<Plan | null>;
  /** Makes a new plan now. */
  plan(environment: string): Promise<Plan>;
  /**
   * Applies a plan kept in the store (made here, by the CLI, or before a restart). Resolves once
   * the writes are accepted; a deployment (CloudFront rows stay `deploying` until Deployed) and
   * verification follow in the background, each step recorded in the row, then told to `progress`.
   */
  apply(planId: string, by: string, progress?: Progress): Promise<ApplyResult>;
  /** Resolves once the rollback is accepted; its deployment is followed in the background, as an apply's. */
  rollback(id: number, by: string, progress?: Progress): Promise<OptimizationRecord>;
  /** Newest first. */
  history(environment: string): Promise<readonly OptimizationRecord[]>;
}

const Value = z.union([z.string(), z.number()]);
const Change = z.object({ target: z.string(), resource: z.string(), parameter: z.string(), before: Value.nullable(), after: Value });
const Baseline = z.object({ hitRate: z.number().nullable(), p99Ms: z.number().nullable() });
const RecordSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['apply', 'rollback']),
  rollbackOf: z.number().int().nullable(),
  environment: z.string(),
  target: z.string(),
  targetType: z.string(),
  status: z.enum(['deploying', 'applied', 'verified', 'rolled_back', 'restored', 'failed'])
    .describe('deploying: accepted, still spreading (CloudFront InProgress); applied: in effect, verification pending; then verified or rolled_back'),
  atMs: z.number().int(),
  by: z.string(),
  changes: z.array(Change),
  plan: PlanSchema.nullable(),
  reason: z.string().nullable().describe('why it was rolled back or failed; while deploying, the latest state of each distribution ("E2ABC: InProgress")'),
  verification: z.object({ atMs: z.number(), before: Baseline, after: Baseline, regressed: z.boolean(), reason: z.string().nullable() }).nullable(),
});
const ApplySchema = z.object({
  planId: z.string(),
  dryRun: z.boolean(),
  changes: z.array(z.object({ target: z.string(), changes: z.array(Change) })),
  refused: z.array(z.object({ target: z.string(), reason: z.string() })),
  records: z.array(RecordSchema).describe('the audit rows, one per target, as they are when the writes were accepted'),
  failure: z.object({ target: z.string(), message: z.string() }).nullable(),
});
const Available = z.boolean().describe('false when the optimizer is not wired in this process');
const EnvQuery = z.strictObject({ env: EnvParam.optional() });
const PlanId = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'expected a plan id such as plan-20261127T012000000Z') });
const RecordId = z.strictObject({ id: z.coerce.number().int('expected a change id (a whole number)').positive('expected a change id (a whole number)') });

const notAvailable = () => new PerfpilotError('the optimizer is not available in this process (no optimize.targets configured)', { httpStatus: 503 });

/** Optimization plans, with apply, rollback and history. Applies and rollbacks need the write token. */
export function optimizeRoutes(optimizer: OptimizerPort | null, defaultEnvironment: string, live: Pick<LiveHub, 'publish'>, now: () => number = Date.now): ApiRoute[] {
  const by = 'api';
  const announce = () => live.publish({ kind: 'optimization', environment: defaultEnvironment, atMs: now() });
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/optimize/plans/latest', summary: 'The newest optimization plan (made now when there is none from the last 5 min, or a change was made since)', tag: 'optimize', access: 'read',
      query: EnvQuery,
      response: z.object({ available: Available, plan: PlanSchema.nullable() }),
      async handler({ query }) {
        if (!optimizer) return { available: false, plan: null };
        return { available: true, plan: await optimizer.latestPlan(query.env ?? defaultEnvironment) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/optimize/plans', summary: 'Make a new plan now (changes nothing)', tag: 'optimize', access: 'write',
      body: z.strictObject({ env: EnvParam.optional() }),
      response: z.object({ plan: PlanSchema }),
      async handler({ body }) {
        if (!optimizer) throw notAvailable();
        return { plan: await optimizer.plan(body.env ?? defaultEnvironment) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/optimize/plans/:id/apply',
      summary: 'Apply a plan: answers once the targets accept the writes; deployment (deploying → applied) and verification (→ verified, or rolled back on a regression) follow, shown in history and announced as `optimization` events',
      tag: 'optimize', access: 'write',
      params: PlanId,
      response: ApplySchema,
      async handler({ params }) {
        if (!optimizer) throw notAvailable();
        const result = await optimizer.apply(params.id, by, announce);
        announce();
        return result;
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/optimize/changes/:id/rollback', summary: 'Restore the values from before a change', tag: 'optimize', access: 'write',
      params: RecordId,
      response: RecordSchema,
      async handler({ params }) {
        if (!optimizer) throw notAvailable();
        const record = await optimizer.rollback(params.id, by, announce);
        announce();
        return record;
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/optimize/history', summary: 'Every applied change and rollback, newest first', tag: 'optimize', access: 'read',
      query: EnvQuery,
      response: z.object({ available: Available, history: z.array(RecordSchema) }),
      async handler({ query }) {
        if (!optimizer) return { available: false, history: [] };
        return { available: true, history: [...(await optimizer.history(query.env ?? defaultEnvironment))] };
      },
    }),
  ];
}
