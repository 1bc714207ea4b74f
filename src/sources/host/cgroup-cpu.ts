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
export function readCfsCounters(procPath: string, cgroupPath: string, read: (path: string) => string): CfsCounters | null {
  const readOptional = (path: string) => readIfExists(path, read);
  const membership = readOptional(join(procPath, 'self/cgroup'));
  const line = membership?.split('\n').find((l) => l.startsWith('0::'));
  if (!line) return null;
  const parts = line.slice(3).trim().split('/').filter((p) => p.length > 0);
  for (let depth = parts.length; depth >= 0; depth--) {
    const dir = join(cgroupPath, ...parts.slice(0, depth));
    const max = readOptional(join(dir, 'cpu.max'));
    if (!max || max.trim().startsWith('max')) continue;
    const stat = readOptional(join(dir, 'cpu.stat'));
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

function readIfExists(path: string, read: (path: string) => string): string | null {
  try {
    return read(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}
