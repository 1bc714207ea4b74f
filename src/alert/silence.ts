/** `name=value`, `name!=value`, `name=~regex` or `name!~regex`, as in amtool. */
export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly isEqual: boolean;
  readonly isRegex: boolean;
}

export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsMs: number;
  readonly endsMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** Parses "k=v", "k!=v", "k=~re", "k!~re"; null when malformed. */
export function parseMatcher(text: string): Matcher | null {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) return null;
  const [, name, op, raw] = m as unknown as [string, string, string, string];
  const value = raw.replace(/^"(.*)"$/, '$1');
  if (op.endsWith('~')) {
    try {
      new RegExp(value);
    } catch {
      return null;
    }
  }
  return { name, value, isEqual: op === '=' || op === '=~', isRegex: op.endsWith('~') };
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}${m.value}`;
}

function matches(m: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const actual = labels[m.name] ?? '';
  const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(actual) : actual === m.value;
  return hit === m.isEqual;
}

/** The silence stage: whether an active silence mutes these labels at `nowMs`. Pure. */
export function isSilenced(labels: Readonly<Record<string, string>>, silences: readonly Silence[], nowMs: number): boolean {
  return silences.some((s) => s.startsMs <= nowMs && nowMs < s.endsMs && s.matchers.every((m) => matches(m, labels)));
}
