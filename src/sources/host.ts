import { join } from 'node:path';
import type { SampledSource, SourceReadings, TimedSample } from './source.js';
import { counterDelta } from './counter-delta.js';
import { parseDiskstats, parseMeminfo, parseProcStat, SECTOR_BYTES, type CpuTicks, type DiskCounters, type MemoryBytes } from './host/proc-files.js';
import { readCfsCounters, type CfsCounters } from './host/cgroup-cpu.js';
import { createProcReader } from './host/proc-reader.js';

export interface HostSample {
  readonly cpu: CpuTicks;
  readonly memory: MemoryBytes;
  readonly disk: DiskCounters;
  /** Null outside a CPU-limited cgroup v2. */
  readonly cfs: CfsCounters | null;
}

export interface HostSourceOptions {
  readonly procPath?: string;
  readonly cgroupPath?: string;
}

/**
 * This machine, from /proc and cgroup v2: CPU usage of all cores, CFS throttling, memory,
 * and disk IOPS, latency and throughput over real block devices. Rates come from the
 * counters' growth between the window's baseline and its last sample.
 *
 * @example createHostSource({ procPath: '/proc', cgroupPath: '/sys/fs/cgroup' })
 */
export function createHostSource(options: HostSourceOptions = {}): SampledSource<HostSample> {
  const procPath = options.procPath ?? '/proc';
  const cgroupPath = options.cgroupPath ?? '/sys/fs/cgroup';
  const read = createProcReader();
  return {
    kind: 'sampled',
    name: 'host',
    async sample() {
      return {
        cpu: parseProcStat(read(join(procPath, 'stat'))),
        memory: parseMeminfo(read(join(procPath, 'meminfo'))),
        disk: parseDiskstats(read(join(procPath, 'diskstats'))),
        cfs: readCfsCounters(procPath, cgroupPath, read),
      };
    },
    readings: hostReadings,
  };
}

/** Pure: the host's readings over a window. */
export function hostReadings(baseline: TimedSample<HostSample> | null, samples: readonly TimedSample<HostSample>[]): SourceReadings {
  const last = samples.at(-1);
  if (!last) return { metrics: {} };
  const memory = { used: last.data.memory.used, available: last.data.memory.available, swap: last.data.memory.swap };
  if (!baseline) return { metrics: { resources: { memory } } };
  const before = baseline.data;
  const after = last.data;
  const seconds = (last.atMs - baseline.atMs) / 1000;
  const busy = counterDelta(before.cpu.busy, after.cpu.busy);
  const total = counterDelta(before.cpu.total, after.cpu.total);
  const ios = counterDelta(before.disk.ios, after.disk.ios);
  const ioMs = counterDelta(before.disk.ioMs, after.disk.ioMs);
  const sectors = counterDelta(before.disk.sectors, after.disk.sectors);
  return {
    metrics: {
      resources: {
        cpu: { usage: busy !== null && total ? (busy / total) * 100 : null, throttling: throttlingPercent(before.cfs, after.cfs) },
        memory,
        disk: {
          iops: ios !== null && seconds > 0 ? ios / seconds : null,
          latency: ios && ioMs !== null ? ioMs / ios : null,
          throughput: sectors !== null && seconds > 0 ? (sectors * SECTOR_BYTES) / seconds : null,
        },
      },
    },
  };
}

/** Throttled periods ÷ periods, in percent; 0 when the cgroup ran no period; null without a limit. */
function throttlingPercent(before: CfsCounters | null, after: CfsCounters | null): number | null {
  if (!before || !after) return null;
  const periods = counterDelta(before.periods, after.periods)!;
  const throttled = counterDelta(before.throttled, after.throttled)!;
  return periods === 0 ? 0 : (Math.min(throttled, periods) / periods) * 100;
}
