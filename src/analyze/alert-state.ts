import type { Locale, Severity } from './analysis.js';
import { crosses, type RuleEvaluation } from './evaluate-rules.js';
import type { Rule } from './rules.js';

export type AlertPhase = 'inactive' | 'pending' | 'firing' | 'resolved';

/** One alert, kept per environment and fingerprint across analyses. */
export interface AlertState {
  readonly environment: string;
  readonly fingerprint: string;
  readonly rule: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly phase: AlertPhase;
  readonly severity: Severity;
  readonly value: number | null;
  /** Active because its metric has had no data for the rule's `noData.afterMs`. */
  readonly noData: boolean;
  readonly description: string;
  readonly recommendation: string;
  /** When the condition started to hold (pending since). */
  readonly activeSinceMs: number | null;
  /** When it started firing: the notification's `startsAt`. */
  readonly firedAtMs: number | null;
  /** The last time the condition held (for keep_firing_for). */
  readonly lastActiveMs: number | null;
  readonly resolvedAtMs: number | null;
  /** Since when the metric has had no data; null while it has data. */
  readonly noDataSinceMs: number | null;
  readonly updatedAtMs: number;
}

const NO_DATA_TEXT: Record<Locale, (metric: string) => string> = {
  en: (metric) => `No data for ${metric}.`,
  ko: (metric) => `${metric} 데이터가 없습니다.`,
};

type Activity = { active: false } | { active: true; severity: Severity; noData: boolean };

const isLive = (s: AlertState | null): s is AlertState => s !== null && (s.phase === 'pending' || s.phase === 'firing');

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };
const HIGH_FIRST: readonly Severity[] = ['high', 'medium', 'low'];

/**
 * Where an alert at a severity with threshold `threshold` steps down: as far past it as the
 * rule's clear level is past its lowest threshold, in proportion (error rate: high at 5 %,
 * clear 0.8 % for 1 % → high until below 4 %). No clear level: at the threshold itself.
 */
function stepDownLevel(rule: Rule, threshold: number): number {
  const values = Object.values(rule.thresholds).filter((v): v is number => v !== undefined);
  const lowest = rule.comparison === '>' ? Math.min(...values) : Math.max(...values);
  const ratio = rule.clear === null || lowest === 0 ? 1 : rule.clear / lowest;
  return ratio > 0 && Number.isFinite(ratio) ? threshold * ratio : threshold;
}

/**
 * The severity a live alert holds at `value`: the highest one, up to the one it has, whose
 * step-down level the value has not passed; at least its lowest severity. Severities get the
 * same hysteresis as the alert, so a value around a higher threshold does not flap the
 * notifications between warning and critical.
 */
function heldSeverity(rule: Rule, current: Severity, value: number): Severity {
  const set = HIGH_FIRST.filter((s) => rule.thresholds[s] !== undefined);
  const held = set.find((s) => RANK[s] <= RANK[current] && crosses(value, rule.comparison, stepDownLevel(rule, rule.thresholds[s]!)));
  return held ?? set.at(-1) ?? current;
}

/** Whether the rule's condition holds now, with hysteresis and the no-data policy. Pure. */
function activity(prev: AlertState | null, ev: RuleEvaluation, noDataSinceMs: number | null, nowMs: number): Activity {
  if (ev.noData) {
    const policy = ev.rule.noData;
    if (ev.explainedBySourceDown || policy.mode === 'ignore' || noDataSinceMs === null) return { active: false };
    return nowMs - noDataSinceMs >= policy.afterMs ? { active: true, severity: policy.severity, noData: true } : { active: false };
  }
  const held = isLive(prev) && !prev.noData && ev.value !== null ? heldSeverity(ev.rule, prev.severity, ev.value) : null;
  if (ev.severity !== null) {
    const severity = held !== null && RANK[held] > RANK[ev.severity] ? held : ev.severity;
    return { active: true, severity, noData: false };
  }
  if (held !== null && !ev.cleared) return { active: true, severity: held, noData: false };
  return { active: false };
}

/**
 * The next state of one alert from its previous state and this evaluation. Pure, with the
 * clock injected. Returns null for an alert that is not and was not being tracked.
 *
 * inactive → pending (condition holds) → firing (held for `forMs`) → resolved (no longer
 * holds, past the clear threshold, and `keepFiringForMs` has passed since it last held).
 */
export function nextAlertState(prev: AlertState | null, ev: RuleEvaluation, nowMs: number, locale: Locale): AlertState | null {
  const noDataSinceMs = ev.noData && ev.rule.noData.mode === 'alert' ? (prev?.noDataSinceMs ?? nowMs) : null;
  const now = activity(prev, ev, noDataSinceMs, nowMs);
  const text = ev.rule.text[locale];
  const base = {
    environment: ev.labels.environment ?? '',
    fingerprint: ev.fingerprint,
    rule: ev.rule.name,
    labels: ev.labels,
    value: ev.value,
    description: ev.detail ? `${text.description} (${ev.detail})` : text.description,
    recommendation: text.recommendation,
    noDataSinceMs,
    updatedAtMs: nowMs,
  };
  if (now.active) {
    const since = isLive(prev) ? (prev.activeSinceMs ?? nowMs) : nowMs;
    const wait = now.noData ? 0 : ev.rule.forMs;
    const fires = prev?.phase === 'firing' || nowMs - since >= wait;
    return {
      ...base,
      ...(now.noData ? { description: NO_DATA_TEXT[locale](ev.rule.metric) } : {}),
      phase: fires ? 'firing' : 'pending',
      severity: now.severity,
      noData: now.noData,
      activeSinceMs: since,
      firedAtMs: fires ? (prev?.phase === 'firing' ? prev.firedAtMs : nowMs) : null,
      lastActiveMs: nowMs,
      resolvedAtMs: null,
    };
  }
  if (prev === null) {
    return noDataSinceMs === null ? null : { ...base, phase: 'inactive', severity: 'low', noData: false, activeSinceMs: null, firedAtMs: null, lastActiveMs: null, resolvedAtMs: null };
  }
  if (prev.phase === 'firing' && prev.lastActiveMs !== null && nowMs - prev.lastActiveMs < ev.rule.keepFiringForMs) {
    return { ...prev, ...base, description: prev.description, value: ev.value, phase: 'firing', severity: prev.severity };
  }
  const phase: AlertPhase = prev.phase === 'firing' || prev.phase === 'resolved' ? 'resolved' : 'inactive';
  return {
    ...prev,
    ...base,
    description: prev.description,
    phase,
    activeSinceMs: null,
    resolvedAtMs: prev.phase === 'firing' ? nowMs : prev.resolvedAtMs,
  };
}

/**
 * Advances every evaluated alert. A live alert that was not evaluated (its rule was removed
 * or turned off, or its source is no longer configured) ends: firing → resolved, pending →
 * inactive. Pure.
 */
export function advanceAlerts(
  previous: ReadonlyMap<string, AlertState>,
  evaluations: readonly RuleEvaluation[],
  nowMs: number,
  locale: Locale,
): AlertState[] {
  const next: AlertState[] = [];
  const seen = new Set<string>();
  for (const ev of evaluations) {
    seen.add(ev.fingerprint);
    const state = nextAlertState(previous.get(ev.fingerprint) ?? null, ev, nowMs, locale);
    if (state) next.push(state);
  }
  for (const [fp, prev] of previous) {
    if (seen.has(fp) || !isLive(prev)) continue;
    const firing = prev.phase === 'firing';
    next.push({ ...prev, phase: firing ? 'resolved' : 'inactive', activeSinceMs: null, resolvedAtMs: firing ? nowMs : prev.resolvedAtMs, updatedAtMs: nowMs });
  }
  return next;
}
