import { z } from 'zod';

/** Rules added to or overriding the built-in ones (the rule engine issue grows this). */
export const RulesConfig = z.array(z.record(z.string(), z.unknown()));
