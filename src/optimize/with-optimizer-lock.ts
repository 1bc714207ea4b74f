import { randomUUID } from 'node:crypto';
import { PerfpilotError } from '../errors.js';
import type { OptimizerDeps } from './optimizer-deps.js';
import { sleep } from '../util/sleep.js';

const LEASE_MS = 5 * 60_000;
const WAIT_MS = 30_000;
const POLL_MS = 100;

/**
 * Runs `work` holding the optimizer lock in the store, so applies and rollbacks are
 * serialized across every perfpilot process sharing it. Waits up to 30 s for the lock.
 */
export async function withOptimizerLock<T>(deps: Pick<OptimizerDeps, 'audit' | 'now'>, work: () => Promise<T>): Promise<T> {
  const holder = `${process.pid}:${randomUUID()}`;
  const deadline = Date.now() + WAIT_MS;
  while (!(await deps.audit.tryLockOptimizer(holder, deps.now(), LEASE_MS))) {
    if (Date.now() > deadline) {
      throw new PerfpilotError('another optimization is being applied; try again when it is done', { exitCode: 75, httpStatus: 409 });
    }
    await sleep(POLL_MS);
  }
  // Long work (many writes, slow cloud calls) keeps renewing its lease; a crashed holder's lease runs out.
  const renew = setInterval(() => void deps.audit.tryLockOptimizer(holder, deps.now(), LEASE_MS).catch(() => {}), LEASE_MS / 3);
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await deps.audit.unlockOptimizer(holder);
  }
}
