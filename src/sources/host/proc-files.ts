/** Raw counters from /proc/stat's aggregate `cpu` line, in clock ticks. */
export interface CpuTicks {
  readonly busy: number;
  readonly total: number;
}

/** Sums of /proc/diskstats over the devices that count (see `countedDevices`). */
export interface DiskCounters {
  readonly ios: number;
  readonly ioMs: number;
  readonly sectors: number;
}

export interface MemoryBytes {
  readonly used: number | null;
  readonly available: number | null;
  readonly swap: number | null;
}

/**
 * /proc/stat → busy and total ticks of all cores. Busy is everything but idle and iowait;
 * guest time is already inside user and nice, so it is not added again.
 */
export function parseProcStat(text: string): CpuTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no aggregate cpu line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** /proc/meminfo → used = MemTotal − MemAvailable, available, swap = SwapTotal − SwapFree (bytes). */
export function parseMeminfo(text: string): MemoryBytes {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) kib.set(m[1]!, Number(m[2]) * 1024);
  }
  const total = kib.get('MemTotal');
  const available = kib.get('MemAvailable');
  const swapTotal = kib.get('SwapTotal');
  const swapFree = kib.get('SwapFree');
  return {
    used: total !== undefined && available !== undefined ? total - available : null,
    available: available ?? null,
    swap: swapTotal !== undefined && swapFree !== undefined ? swapTotal - swapFree : null,
  };
}

/**
 * Which devices of /proc/diskstats are real disks. Skipped: loop, ram, zram (memory or
 * file backed), dm-* and md* (they sit on top of disks that are already counted), and
 * partitions, whose I/O their disk already counts. A partition is named after its disk as
 * the kernel names it: the disk name plus a number, with a "p" between when the disk name
 * ends in a digit (sda → sda1, nvme0n1 → nvme0n1p1, mmcblk0 → mmcblk0p2).
 */
export function countedDevices(names: readonly string[]): string[] {
  const candidates = names.filter((n) => !/^(loop|ram|zram|dm-|md|sr|fd|nbd)\d/.test(n));
  const all = new Set(names);
  return candidates.filter((name) => !isPartition(name, all));
}

function isPartition(name: string, devices: ReadonlySet<string>): boolean {
  if (!/\d$/.test(name)) return false;
  for (let cut = name.length - 1; cut > 0; cut--) {
    const disk = name.slice(0, cut);
    const rest = name.slice(cut);
    if (!devices.has(disk)) continue;
    if (/\d$/.test(disk) ? /^p\d+$/.test(rest) : /^\d+$/.test(rest)) return true;
  }
  return false;
}

/**
 * /proc/diskstats → completed reads + writes, the milliseconds spent on them, and sectors
 * (always 512 bytes here) read + written, summed over the counted devices.
 */
export function parseDiskstats(text: string): DiskCounters {
  const rows = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    rows.set(f[2]!, f.slice(3).map(Number));
  }
  let ios = 0;
  let ioMs = 0;
  let sectors = 0;
  for (const name of countedDevices([...rows.keys()])) {
    const [reads = 0, , readSectors = 0, readMs = 0, writes = 0, , writeSectors = 0, writeMs = 0] = rows.get(name)!;
    ios += reads + writes;
    ioMs += readMs + writeMs;
    sectors += readSectors + writeSectors;
  }
  return { ios, ioMs, sectors };
}

export const SECTOR_BYTES = 512;
