import { execFileSync } from 'node:child_process';

/**
 * CI sets PERFPILOT_REQUIRE_ALL=1: then a missing program is a failure, not a skip.
 * Locally a test whose program is missing is skipped and says why.
 */
export const requireAll = process.env.PERFPILOT_REQUIRE_ALL === '1';

/** Returns null when `program` is on PATH, or the reason to skip; throws in CI. */
export function missingProgram(program: string): string | null {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return null;
  } catch {
    const reason = `${program} is not installed (Debian: see .ci/run)`;
    if (requireAll) throw new Error(`PERFPILOT_REQUIRE_ALL is set and ${reason}`);
    console.warn(`skipping: ${reason}`);
    return reason;
  }
}
