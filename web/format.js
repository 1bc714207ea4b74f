// Readings for people. null is "no data", never 0.
import { t } from './i18n.js';

const BYTES = ['B', 'KB', 'MB', 'GB', 'TB'];

function bytes(v) {
  let i = 0;
  while (Math.abs(v) >= 1024 && i < BYTES.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${BYTES[i]}`;
}

function num(v, digits = 1) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits);
}

/** Formats a reading in its unit (the units of src/model/fields.ts). */
export function formatValue(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return t('no_data');
  switch (unit) {
    case 'ms': return `${num(value)} ms`;
    case 'ratio': return `${(value * 100).toFixed(1)} %`;
    case 'percent': return `${value.toFixed(1)} %`;
    case 'rps': return `${num(value)} req/s`;
    case 'iops': return `${num(value)} IOPS`;
    case 'bytes': return bytes(value);
    case 'bytes/s': return `${bytes(value)}/s`;
    default: return Number.isInteger(value) ? String(value) : num(value, 2);
  }
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** The last reading that is not null, or null. */
export function lastValue(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}
