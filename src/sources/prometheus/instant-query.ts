import { SourceError } from '../source.js';
import { HttpStatusError } from '../remote/failure-signals.js';

/** What one instant query gave: a number, or null with why (no series, NaN, several series). */
export type InstantValue = { readonly value: number; readonly note?: undefined } | { readonly value: null; readonly note: string };

interface ApiAnswer {
  readonly status?: string;
  readonly error?: string;
  readonly data?: { readonly resultType?: string; readonly result?: unknown };
}

export interface PrometheusEndpoint {
  /** The base URL without credentials, e.g. http://prometheus:9090. */
  readonly baseUrl: string;
  /** "Basic …" from credentials in the configured URL, or null. */
  readonly authorization: string | null;
}

/** Splits a configured URL into a base URL and a basic-auth header, so credentials never reach a message. */
export function prometheusEndpoint(url: string): PrometheusEndpoint {
  const u = new URL(url);
  const authorization = u.username || u.password
    ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
    : null;
  u.username = '';
  u.password = '';
  return { baseUrl: u.toString().replace(/\/$/, ''), authorization };
}

/**
 * GET /api/v1/query at `timeS`. A vector with one series gives its value; no series, NaN or
 * ±Inf give null (never 0); several series give null and ask for an aggregation.
 * Non-2xx answers throw HttpStatusError with Prometheus' own error text.
 */
export async function instantQuery(endpoint: PrometheusEndpoint, query: string, timeS: number, signal: AbortSignal): Promise<InstantValue> {
  const url = `${endpoint.baseUrl}/api/v1/query?${new URLSearchParams({ query, time: String(timeS) })}`;
  const response = await fetch(url, { signal, headers: { accept: 'application/json', ...(endpoint.authorization ? { authorization: endpoint.authorization } : {}) } });
  const text = await response.text();
  let answer: ApiAnswer | null = null;
  try {
    answer = JSON.parse(text) as ApiAnswer;
  } catch {
    answer = null;
  }
  if (!response.ok) throw new HttpStatusError(response.status, response.statusText, response.headers, answer?.error ?? text);
  if (!answer || answer.status !== 'success' || !answer.data) {
    throw new SourceError(`${endpoint.baseUrl} did not answer like a Prometheus HTTP API (expected {"status":"success","data":…})`, 'bad_response');
  }
  const { resultType, result } = answer.data;
  if (resultType === 'scalar') return number((result as [number, string])[1]);
  if (resultType !== 'vector' || !Array.isArray(result)) return { value: null, note: `a ${resultType} instead of a vector` };
  if (result.length === 0) return { value: null, note: 'no series' };
  if (result.length > 1) return { value: null, note: `${result.length} series; aggregate them to one, e.g. sum(…)` };
  return number((result[0] as { value: [number, string] }).value[1]);
}

function number(text: string): InstantValue {
  const value = Number(text);
  return Number.isFinite(value) ? { value } : { value: null, note: text };
}
