import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostSource, hostReadings, type HostSample } from '../src/sources/host.js';
import { countedDevices } from '../src/sources/host/proc-files.js';

const signal = new AbortController().signal;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perfpilot-host-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const diskLine = (name: string, reads: number, readSectors: number, readMs: number, writes: number, writeSectors: number, writeMs: number) =>
  `   8       0 ${name} ${reads} 0 ${readSectors} ${readMs} ${writes} 0 ${writeSectors} ${writeMs} 0 0 0 0 0 0 0 0 0`;

/** Writes a fake /proc and cgroup v2 tree; returns the source reading them. */
async function fixture(name: string, files: Record<string, string>) {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return { root, source: createHostSource({ procPath: join(root, 'proc'), cgroupPath: join(root, 'cgroup') }) };
}

function procFiles(cpu: number[], memKiB: { total: number; available: number; swapTotal: number; swapFree: number }, disks: string[]) {
  return {
    'proc/stat': `cpu  ${cpu.join(' ')} 0 0\ncpu0 ${cpu.join(' ')} 0 0\nintr 1 2 3\n`,
    'proc/meminfo': `MemTotal:       ${memKiB.total} kB\nMemFree:        100 kB\nMemAvailable:   ${memKiB.available} kB\nSwapTotal:      ${memKiB.swapTotal} kB\nSwapFree:       ${memKiB.swapFree} kB\n`,
    'proc/diskstats': `${disks.join('\n')}\n`,
  };
}

describe('host source on fixture files', () => {
  it('counts whole real disks only: no loop, ram, zram, dm, md, or partitions', () => {
    const names = ['loop0', 'ram0', 'zram0', 'dm-0', 'md0', 'sr0', 'sda', 'sda1', 'sda2', 'nvme0n1', 'nvme0n1p1', 'nvme0n10', 'vda', 'vda1', 'mmcblk0', 'mmcblk0p1', 'xvdb'];
    expect(countedDevices(names)).toEqual(['sda', 'nvme0n1', 'nvme0n10', 'vda', 'mmcblk0', 'xvdb']);
  });

  it('computes cpu usage, CFS throttling from the limited ancestor, memory and disk exactly', async () => {
    const cgroup = (periods: number, throttled: number) => ({
      'proc/self/cgroup': '0::/app/worker\n',
      'cgroup/app/cpu.max': '50000 100000\n',
      'cgroup/app/cpu.stat': `usage_usec 1000\nnr_periods ${periods}\nnr_throttled ${throttled}\nthrottled_usec 5\n`,
      'cgroup/app/worker/cpu.max': 'max 100000\n',
      'cgroup/app/worker/cpu.stat': 'usage_usec 1\nnr_periods 999999\nnr_throttled 999999\n',
    });
    const disks = (n: number) => [
      diskLine('sda', 100 * n, 1000 * n, 50 * n, 200 * n, 3000 * n, 250 * n),
      diskLine('sda1', 7777 * n, 7777, 7777, 7777, 7777, 7777),
      diskLine('loop0', 5555 * n, 5555, 5555, 5555, 5555, 5555),
      diskLine('dm-0', 3333 * n, 3333, 3333, 3333, 3333, 3333),
    ];
    const mem = { total: 1000, available: 400, swapTotal: 300, swapFree: 100 };
    // user nice system idle iowait irq softirq steal
    const a = await fixture('a', { ...procFiles([100, 0, 50, 800, 50, 0, 0, 0], mem, disks(1)), ...cgroup(1000, 100) });
    const first = await a.source.sample(signal);
    const b = await fixture('a', { ...procFiles([250, 0, 100, 1000, 50, 0, 0, 0], { ...mem, available: 300 }, disks(3)), ...cgroup(1200, 150) });
    const second = await b.source.sample(signal);
    expect(first.cfs).toEqual({ periods: 1000, throttled: 100 });
    const r = hostReadings({ atMs: 0, data: first }, [{ atMs: 2_000, data: second }]);
    expect(r.metrics.resources).toEqual({
      // busy grew 200 of 400 ticks; 50 of 200 periods throttled
      cpu: { usage: 50, throttling: 25 },
      memory: { used: 700 * 1024, available: 300 * 1024, swap: 200 * 1024 },
      // sda only: 600 I/Os in 2 s, 600 ms spent, 8000 sectors of 512 bytes
      disk: { iops: 300, latency: 1, throughput: (8000 * 512) / 2 },
    });
  });

  it('gives null throttling without a CPU limit and outside cgroup v2', async () => {
    const files = procFiles([1, 0, 1, 1, 0, 0, 0, 0], { total: 10, available: 5, swapTotal: 0, swapFree: 0 }, [diskLine('vda', 1, 1, 1, 1, 1, 1)]);
    const unlimited = await fixture('unlimited', { ...files, 'proc/self/cgroup': '0::/svc\n', 'cgroup/svc/cpu.max': 'max 100000\n', 'cgroup/svc/cpu.stat': 'nr_periods 5\nnr_throttled 1\n' });
    const v1 = await fixture('v1', { ...files, 'proc/self/cgroup': '4:cpu,cpuacct:/x\n' });
    for (const { source } of [unlimited, v1]) {
      const s = await source.sample(signal);
      expect(s.cfs).toBeNull();
      expect(hostReadings({ atMs: 0, data: s }, [{ atMs: 1000, data: s }]).metrics.resources?.cpu?.throttling).toBeNull();
    }
  });

  it('never goes negative when counters restart, and has no disk latency without I/O', () => {
    const sample = (busy: number, total: number, ios: number): HostSample => ({
      cpu: { busy, total },
      memory: { used: 1, available: 2, swap: 0 },
      disk: { ios, ioMs: ios * 2, sectors: ios * 8 },
      cfs: null,
    });
    const reset = hostReadings({ atMs: 0, data: sample(5000, 10000, 900) }, [{ atMs: 1000, data: sample(30, 100, 10) }]);
    expect(reset.metrics.resources?.cpu?.usage).toBe(30);
    expect(reset.metrics.resources?.disk).toEqual({ iops: 10, latency: 2, throughput: 80 * 512 });
    const idle = hostReadings({ atMs: 0, data: sample(10, 100, 7) }, [{ atMs: 1000, data: sample(10, 200, 7) }]);
    expect(idle.metrics.resources?.disk).toEqual({ iops: 0, latency: null, throughput: 0 });
    expect(idle.metrics.resources?.cpu?.usage).toBe(0);
  });
});

/** The test's own reading of /proc, by a different route: /sys/block lists whole disks. */
async function independentReading() {
  const [stat, meminfo, diskstats, blocks] = await Promise.all([
    readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8'), readFile('/proc/diskstats', 'utf8'), readdir('/sys/block'),
  ]);
  const cpu = stat.split('\n')[0]!.split(/\s+/).slice(1, 9).map(Number);
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(meminfo)![1]) * 1024;
  const disks = new Set(blocks.filter((b) => !/^(loop|ram|zram|dm-|md|sr|fd|nbd)\d/.test(b)));
  let ios = 0;
  let sectors = 0;
  for (const line of diskstats.trim().split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!disks.has(f[2]!)) continue;
    ios += Number(f[3]) + Number(f[7]);
    sectors += Number(f[5]) + Number(f[9]);
  }
  return {
    busy: cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!,
    total: cpu.reduce((a, b) => a + b, 0),
    memUsed: kib('MemTotal') - kib('MemAvailable'),
    memAvailable: kib('MemAvailable'),
    swap: kib('SwapTotal') - kib('SwapFree'),
    ios,
    sectors,
  };
}

describe.skipIf(process.platform !== 'linux')('host source on this machine', () => {
  it('agrees with an independent reading of /proc', async () => {
    const source = createHostSource();
    const before = await independentReading();
    const first = await source.sample(signal);
    const t0 = Date.now();
    while (Date.now() - t0 < 1_000) Math.sqrt(Math.random()); // some CPU to measure
    const second = await source.sample(signal);
    const after = await independentReading();
    // Counters read by the test bracket the source's own readings.
    expect(first.cpu.busy).toBeGreaterThanOrEqual(before.busy);
    expect(second.cpu.busy).toBeLessThanOrEqual(after.busy);
    expect(first.cpu.total).toBeGreaterThanOrEqual(before.total);
    expect(second.cpu.total).toBeLessThanOrEqual(after.total);
    expect(first.disk.ios).toBeGreaterThanOrEqual(before.ios);
    expect(second.disk.ios).toBeLessThanOrEqual(after.ios);
    expect(second.disk.sectors).toBeLessThanOrEqual(after.sectors);
    const usage = ((after.busy - before.busy) / (after.total - before.total)) * 100;
    const r = hostReadings({ atMs: t0, data: first }, [{ atMs: Date.now(), data: second }]).metrics.resources!;
    expect(Math.abs(r.cpu!.usage! - usage)).toBeLessThan(12); // the two intervals differ by a few ms at each end
    // This process kept one core busy; the machine's usage is at least part of that.
    expect(r.cpu!.usage!).toBeGreaterThan(100 / (await readdir('/sys/devices/system/cpu')).filter((d) => /^cpu\d+$/.test(d)).length / 2);
    expect(Math.abs(r.memory!.used! - after.memUsed)).toBeLessThan(256 * 1024 * 1024);
    expect(r.memory!.swap).toBe(after.swap);
    const throttling = r.cpu!.throttling ?? null;
    expect(throttling === null || (throttling >= 0 && throttling <= 100)).toBe(true);
  });

  it('counts the same disks as /sys/block lists (which never lists partitions)', async () => {
    const names = (await readFile('/proc/diskstats', 'utf8')).trim().split('\n').map((l) => l.trim().split(/\s+/)[2]!);
    const whole = (await readdir('/sys/block')).filter((b) => !/^(loop|ram|zram|dm-|md|sr|fd|nbd)\d/.test(b));
    expect(countedDevices(names).sort()).toEqual(whole.filter((b) => names.includes(b)).sort());
  });
});
