import { z } from 'zod';
import { parseDurationMs } from '../util/duration.js';

/** A duration written as "10s", "5m", "7d" or a number of ms; parsed to ms, must be > 0. */
export const DurationMs = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as "500ms", "10s", "5m", "1h" or "7d"` });
    return z.NEVER;
  }
  if (ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration greater than 0' });
    return z.NEVER;
  }
  return ms;
});

/** A URL with one of the given schemes. */
export function urlWith(...schemes: string[]) {
  return z.string().refine((s) => {
    try {
      return schemes.includes(new URL(s).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, { message: `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` });
}
