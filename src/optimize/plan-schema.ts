import { z } from 'zod';
import type { Plan } from './proposal.js';

const Value = z.union([z.string(), z.number()]);
const Reading = z.number().nullable();

/** A plan read back from JSON (`optimize apply PLAN`, the API): the shape of `Plan`. */
export const PlanSchema = z.object({
  id: z.string().min(1),
  environment: z.string().min(1),
  createdAt: z.iso.datetime(),
  windowMs: z.number().nonnegative(),
  baselines: z.record(z.string(), z.object({ hitRate: Reading, p99Ms: Reading })),
  proposals: z.array(z.object({
    target: z.string().min(1),
    resource: z.string(),
    parameter: z.string().min(1),
    current: Value.nullable(),
    proposed: Value,
    evidence: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
    expectedEffect: z.string(),
    risk: z.string(),
  })),
  notes: z.array(z.object({ target: z.string(), message: z.string() })),
}) satisfies z.ZodType<Plan>;
