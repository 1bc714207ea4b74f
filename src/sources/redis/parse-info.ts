/** INFO's `key:value` lines as a map (sections and comments dropped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A numeric INFO field, or null when absent or not a number. */
export function infoNumber(fields: ReadonlyMap<string, string>, key: string): number | null {
  const text = fields.get(key);
  if (text === undefined || text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Sums `keys` and `expires` over the keyspace lines (`db0:keys=3,expires=1,avg_ttl=0`). */
export function keyspaceTotals(fields: ReadonlyMap<string, string>): { keys: number; expires: number } {
  let keys = 0;
  let expires = 0;
  for (const [key, value] of fields) {
    if (!/^db\d+$/.test(key)) continue;
    keys += Number(/(?:^|,)keys=(\d+)/.exec(value)?.[1] ?? 0);
    expires += Number(/(?:^|,)expires=(\d+)/.exec(value)?.[1] ?? 0);
  }
  return { keys, expires };
}
