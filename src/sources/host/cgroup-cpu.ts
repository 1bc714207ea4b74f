import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** CFS period counters of the CPU-limited cgroup this process runs in. */
export interface CfsCounters {
  readonly periods: number;
  readonly throttled: number;
}

/**
 * Finds this process's cgroup v2 (`0::/path` in <procPath>/self/cgroup) and walks up to the
 * first level whose cpu.max sets a quota; returns that level's nr_periods and nr_throttled
 * from cpu.stat. Null when no level limits the CPU (or cgroup v2 is not mounted there).
 */
export async function readCfsCounters(procPath: string, cgroupPath: string, signal: AbortSignal): Promise<CfsCounters | null> {
  const membership = await readOptional(join(procPath, 'self/cgroup'), signal);
  const line = membership?.split('\n').find((l) => l.startsWith('0::'));
  if (!line) return null;
  const parts = line.slice(3).trim().split('/').filter((p) => p.length > 0);
  for (let depth = parts.length; depth >= 0; depth--) {
    const dir = join(cgroupPath, ...parts.slice(0, depth));
    const max = await readOptional(join(dir, 'cpu.max'), signal);
    if (!max || max.trim().startsWith('max')) continue;
    const stat = await readOptional(join(dir, 'cpu.stat'), signal);
    return stat ? parseCpuStat(stat) : null;
  }
  return null;
}

export function parseCpuStat(text: string): CfsCounters | null {
  const value = (key: string) => {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const periods = value('nr_periods');
  const throttled = value('nr_throttled');
  return periods === null || throttled === null ? null : { periods, throttled };
}

async function readOptional(path: string, signal: AbortSignal): Promise<string | null> {
  try {
    return await readFile(path, { encoding: 'utf8', signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}
