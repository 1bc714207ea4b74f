import { z } from 'zod';

/** `host: false` turns the host source off; `{}` (the default) keeps it on. */
export const HostSourceConfig = z.union([z.literal(false), z.strictObject({
  /** Where /proc and the cgroup v2 tree are read from; tests point these elsewhere. */
  procPath: z.string().default('/proc'),
  cgroupPath: z.string().default('/sys/fs/cgroup'),
})]);
