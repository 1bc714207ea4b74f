import { PerfpilotError } from '../../errors.js';
import { redactSecrets } from '../../util/redact.js';

/**
 * Wraps a target's cloud calls so a failure reads "<target>: <what> failed: <reason>", with
 * secrets removed; errors that are already perfpilot's pass through unchanged.
 */
export function targetCall(targetId: string) {
  return async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof PerfpilotError) throw err;
      throw new PerfpilotError(`${targetId}: ${what} failed: ${redactSecrets((err as Error).message)}`, { cause: err });
    }
  };
}
