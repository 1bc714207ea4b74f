import { redactSecrets } from '../util/redact.js';

const SECRET_KEY = /^(password|passwd|token|secret|api_?key|app_?key|authorization|routing_?key|integration_?key)$/i;

/**
 * A deep copy that is safe to answer with: secret-named keys become "***" and every string has
 * URL passwords and secret query values removed.
 */
export function redactConfig(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactConfig);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== null ? '***' : redactConfig(v)]));
  }
  return value;
}
