import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads small kernel files (/proc, /sys/fs/cgroup) into one reused buffer. These files
 * report size 0, so fs.readFile allocates a fresh 64 KiB buffer per read; a collection loop
 * reading several of them every cycle would churn the heap for nothing. Reads are
 * synchronous: the kernel answers them from memory, never from a disk.
 *
 * @example const read = createProcReader(); read('/proc/stat') // "cpu  16879 0 …"
 */
export function createProcReader(initialBytes = 64 * 1024): (path: string) => string {
  let buffer = Buffer.allocUnsafe(initialBytes);
  return function readProcFile(path) {
    const fd = openSync(path, 'r');
    try {
      let length = 0;
      for (;;) {
        if (length === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
        const n = readSync(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      return buffer.toString('utf8', 0, length);
    } finally {
      closeSync(fd);
    }
  };
}
