import { z } from 'zod';
import type { Plan } from '../../optimize/proposal.js';
import { PerfpilotError } from '../../errors.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { LiveHub } from '../live-hub.js';
import { EnvParam } from '../api-schemas.js';

/** One applied change or rollback, as the audit log keeps it. */
export interface ChangeRecord {
  readonly id: string;
  readonly planId: string;
  readonly environment: string;
  readonly at: string;
  readonly by: string;
  readonly kind: 'apply' | 'rollback' | 'auto_rollback';
  readonly state: string;
  readonly changes: readonly { target: string; resource: string; parameter: string; before: string | number | null; after: string | number }[];
  readonly reason?: string;
}

/** What the optimize routes call: the optimizer core, bound to the store and targets. */
export interface OptimizerPort {
  /** The newest plan for the environment, made now if there is none recent. */
  latestPlan(environment: string): Promise<Plan | null>;
  /** Makes a new plan now. */
  plan(environment: string): Promise<Plan>;
  apply(planId: string, actor: string): Promise<readonly ChangeRecord[]>;
  rollback(changeId: string, actor: string): Promise<readonly ChangeRecord[]>;
  history(environment: string): Promise<readonly ChangeRecord[]>;
}

const Value = z.union([z.string(), z.number()]);
const PlanSchema = z.object({
  id: z.string(),
  environment: z.string(),
  createdAt: z.string(),
  windowMs: z.number(),
  baselines: z.record(z.string(), z.object({ hitRate: z.number().nullable(), p99Ms: z.number().nullable() })),
  proposals: z.array(z.object({
    target: z.string(), resource: z.string(), parameter: z.string(),
    current: Value.nullable(), proposed: Value,
    evidence: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
    expectedEffect: z.string(), risk: z.string(),
  })),
  notes: z.array(z.object({ target: z.string(), message: z.string() })),
});
const ChangeSchema = z.object({
  id: z.string(), planId: z.string(), environment: z.string(), at: z.string(), by: z.string(),
  kind: z.enum(['apply', 'rollback', 'auto_rollback']), state: z.string(),
  changes: z.array(z.object({ target: z.string(), resource: z.string(), parameter: z.string(), before: Value.nullable(), after: Value })),
  reason: z.string().optional(),
});
const Available = z.boolean().describe('false when the optimizer is not wired in this process');
const EnvQuery = z.strictObject({ env: EnvParam.optional() });
const EnvBody = z.strictObject({ env: EnvParam.optional() });
const Id = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'expected an id of letters, digits, ".", "_", ":" or "-"') });

const notAvailable = () => new PerfpilotError('the optimizer is not available in this process', { httpStatus: 503 });

/** Optimization plans, with apply, rollback and history. Applies and rollbacks need the write token. */
export function optimizeRoutes(optimizer: OptimizerPort | null, defaultEnvironment: string, live: Pick<LiveHub, 'publish'>, now: () => number = Date.now): ApiRoute[] {
  const actor = 'api';
  const announce = (environment: string) => live.publish({ kind: 'optimization', environment, atMs: now() });
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/optimize/plans/latest', summary: 'The newest optimization plan', tag: 'optimize', access: 'read',
      query: EnvQuery,
      response: z.object({ available: Available, plan: PlanSchema.nullable() }),
      async handler({ query }) {
        if (!optimizer) return { available: false, plan: null };
        return { available: true, plan: await optimizer.latestPlan(query.env ?? defaultEnvironment) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/optimize/plans', summary: 'Make a new plan now', tag: 'optimize', access: 'write',
      body: EnvBody,
      response: z.object({ plan: PlanSchema }),
      async handler({ body }) {
        if (!optimizer) throw notAvailable();
        return { plan: await optimizer.plan(body.env ?? defaultEnvironment) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/optimize/plans/:id/apply', summary: 'Apply a plan (verified, and rolled back on a regression)', tag: 'optimize', access: 'write',
      params: Id,
      response: z.object({ changes: z.array(ChangeSchema) }),
      async handler({ params }) {
        if (!optimizer) throw notAvailable();
        const changes = await optimizer.apply(params.id, actor);
        announce(changes[0]?.environment ?? defaultEnvironment);
        return { changes };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/optimize/changes/:id/rollback', summary: 'Restore the values from before a change', tag: 'optimize', access: 'write',
      params: Id,
      response: z.object({ changes: z.array(ChangeSchema) }),
      async handler({ params }) {
        if (!optimizer) throw notAvailable();
        const changes = await optimizer.rollback(params.id, actor);
        announce(changes[0]?.environment ?? defaultEnvironment);
        return { changes };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/optimize/history', summary: 'Every applied change and rollback, newest first', tag: 'optimize', access: 'read',
      query: EnvQuery,
      response: z.object({ available: Available, history: z.array(ChangeSchema) }),
      async handler({ query }) {
        if (!optimizer) return { available: false, history: [] };
        return { available: true, history: await optimizer.history(query.env ?? defaultEnvironment) };
      },
    }),
  ];
}
