import { FIELD_PATHS, FIELDS, readField, type Unit } from '../model/fields.js';
import type { Snapshot } from '../model/snapshot.js';
import { renderTable } from './table.js';

/**
 * A snapshot for people: one row per field (section, field, value with its unit, or
 * "no data"), then one row per source with its status, and why it is on or off (`why`).
 */
export function formatSnapshotTable(snapshot: Snapshot, why: Readonly<Record<string, string>> = {}): string {
  const seconds = (Date.parse(snapshot.window.end) - Date.parse(snapshot.window.start)) / 1000;
  const header = `environment ${snapshot.environment}, window ${snapshot.window.start} → ${snapshot.window.end} (${seconds.toFixed(1)} s)`;
  const fields = [['section', 'field', 'value']];
  for (const path of FIELD_PATHS) {
    const [section, ...rest] = path.split('.');
    fields.push([section!, rest.join('.'), formatReading(readField(snapshot.metrics, path), FIELDS[path])]);
  }
  const sources = [['source', 'status', 'detail']];
  for (const [name, s] of Object.entries(snapshot.sources)) {
    if (s.status === 'ok') sources.push([name, 'ok', [why[name], s.detail].filter(Boolean).join('; ')]);
    else if (s.status === 'error') sources.push([name, s.reason ? `error (${s.reason})` : 'error', s.message]);
    else sources.push([name, 'not configured', why[name] ?? '']);
  }
  return `${header}\n\n${renderTable(fields)}\n\n${renderTable(sources)}\n`;
}

/** A reading with its unit, for people; ratios as percentages. */
export function formatReading(value: number | null, unit: Unit): string {
  if (value === null) return 'no data';
  switch (unit) {
    case 'ratio': return `${round(value * 100)} %`;
    case 'percent': return `${round(value)} %`;
    case 'ms': return `${round(value)} ms`;
    case 'rps': return `${round(value)} req/s`;
    case 'iops': return `${round(value)} ops/s`;
    case 'count': return String(round(value));
    case 'bytes': return bytes(value);
    case 'bytes/s': return `${bytes(value)}/s`;
  }
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 1 ? 1 : 3);
}
