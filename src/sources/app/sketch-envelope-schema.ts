import { z } from 'zod';
import { SKETCH_ENVELOPE_VERSION } from '../../instrument/sketch-envelope.js';

const Count = z.number().int().nonnegative();

const EncodedSketch = z.object({
  proto: z.string(),
  count: Count,
  sumMs: z.number().finite(),
  minMs: z.number().finite().nullable(),
  maxMs: z.number().finite().nullable(),
});

/** The `/perfpilot/v1/sketch` body an instrumented service answers (instrument/sketch-envelope.ts). */
export const SketchEnvelopeSchema = z.object({
  version: z.literal(SKETCH_ENVELOPE_VERSION),
  service: z.string(),
  environment: z.string(),
  instance: z.string().min(1),
  seq: Count,
  since: Count,
  gap: z.boolean(),
  inFlight: z.number().int(),
  startMs: z.number().finite(),
  endMs: z.number().finite(),
  http: z.object({
    requests: Count,
    errors: Count,
    aborted: Count,
    statusClasses: z.object({ '1xx': Count, '2xx': Count, '3xx': Count, '4xx': Count, '5xx': Count }),
    durationMs: EncodedSketch,
    users: z.string(),
  }),
  db: z.object({ queries: Count, errors: Count, durationMs: EncodedSketch }),
});
