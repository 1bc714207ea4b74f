import type { Window } from '../model/snapshot.js';
import type { MetricName } from './rules.js';

export type Severity = 'low' | 'medium' | 'high';
export type Status = 'healthy' | 'warning' | 'critical';
export type Locale = 'en' | 'ko';

/** The same words in every language, so a reader can switch without asking again. */
export type InEveryLocale<T> = Readonly<Record<Locale, T>>;

/** `{ en: words('en'), ko: words('ko') }`. */
export function inEveryLocale<T>(words: (locale: Locale) => T): InEveryLocale<T> {
  return { en: words('en'), ko: words('ko') };
}

/** One thing wrong, as the original design's analyzer reported it. */
export interface Issue {
  readonly type: string;
  readonly severity: Severity;
  readonly description: string;
  /** The readings that triggered it, by field (or derived metric). */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** The alert's labels (alertname, environment, and e.g. `source` for source_down). */
  readonly labels: Readonly<Record<string, string>>;
  readonly recommendation: string;
  /** `description` and `recommendation` in every language (the two above are the configured locale's). */
  readonly text: InEveryLocale<{ readonly description: string; readonly recommendation: string }>;
}

/** A concrete action, ranked (the original's `recommendations` list, filled at last). */
export interface Recommendation {
  readonly type: string;
  readonly priority: Severity;
  readonly description: string;
  readonly impact: string;
  readonly effort: 'low' | 'medium' | 'high';
  /** `description` and `impact` in every language (the two above are the configured locale's). */
  readonly text: InEveryLocale<{ readonly description: string; readonly impact: string }>;
}

/** The result of analyzing one snapshot. */
export interface Analysis {
  readonly environment: string;
  readonly window: Window;
  readonly analyzedAt: string;
  readonly status: Status;
  readonly issues: readonly Issue[];
  readonly recommendations: readonly Recommendation[];
  /** Rules that could not be evaluated because their metric had no data. */
  readonly noData: readonly { readonly rule: string; readonly field: MetricName }[];
}
