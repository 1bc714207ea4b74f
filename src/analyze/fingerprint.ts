import { createHash } from 'node:crypto';

/** A stable id for a label set, independent of key order (as Alertmanager's fingerprint). */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(labels).sort().map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}
