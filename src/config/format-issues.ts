import type { z } from 'zod';
import { redactSecrets } from '../util/redact.js';
import type { EnvName } from './env-overrides.js';

const SECRET_KEY = /pass(word)?|token|secret|api_?key|app_?key/i;

/**
 * One line per problem: the key path, the value given (secrets redacted), what was expected,
 * and the environment variable when one set the key.
 *
 * @example formatIssues(err.issues, schema, new Map()) // ['server.port: got "abc"; expected number']
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, origins: ReadonlyMap<string, EnvName>): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    // A union whose one branch took the value's shape but failed inside: report that branch.
    const inside = issue.code === 'invalid_union' ? issue.errors.filter((branch) => branch.some((i) => i.path.length > 0 || i.code === 'unrecognized_keys')) : [];
    if (inside.length === 1) {
      const nested = inside[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue);
      lines.push(...formatIssues(nested, schema, origins));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        const where = [...issue.path, key].join('.');
        lines.push(`${where}: unknown key${known.length ? `; expected one of ${known.join(', ')}` : ''}`);
      }
      continue;
    }
    const path = issue.path.map(String);
    const where = path.join('.') || '(top level)';
    const origin = originOf(path, origins);
    const got = `got ${describeValue(issue.input, path)}${origin ? ` (from ${origin})` : ''}`;
    lines.push(`${where}: ${got}; ${expectation(issue)}`);
  }
  return lines;
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const options = issue.errors.map((branch) => bare(branch[0]?.message ?? 'something else'));
    return `expected ${[...new Set(options)].join(' or ')}`;
  }
  const message = bare(issue.message);
  return /^expected\b/.test(message) ? message : `expected ${message}`;
}

/** "Invalid input: expected number, received string" → "number". */
function bare(message: string): string {
  return message
    .replace(/^(Invalid (input|option)|Too (small|big)): /, '')
    .replace(/, received \w+$/, '')
    .replace(/^expected (?=.)/, '')
    .replace(/^object$/, 'a mapping')
    .replace(/^array$/, 'a list');
}

function describeValue(value: unknown, path: readonly string[]): string {
  if (value === undefined) return 'nothing';
  if (SECRET_KEY.test(path.at(-1) ?? '')) return '***';
  if (typeof value === 'string') return JSON.stringify(maskCredentials(value));
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Hides everything between the user name and the last "@", even in a URL too malformed to parse. */
function maskCredentials(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return redactSecrets(text);
  const slashes = text.indexOf('//');
  const userStart = slashes >= 0 && slashes < at ? slashes + 2 : 0;
  const colon = text.indexOf(':', userStart);
  const masked = colon >= 0 && colon < at ? `${text.slice(0, colon)}:***${text.slice(at)}` : text;
  return redactSecrets(masked);
}

function originOf(path: readonly string[], origins: ReadonlyMap<string, EnvName>): EnvName | undefined {
  for (let n = path.length; n > 0; n--) {
    const name = origins.get(path.slice(0, n).join('.'));
    if (name) return name;
  }
  return undefined;
}

/** The keys an object schema accepts at `path`, looking through defaults, optionals and unions. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: z.core.$ZodType[] = [schema];
  for (const key of [...path, null]) {
    const next: z.core.$ZodType[] = [];
    for (const node of nodes.flatMap(unwrap)) {
      const def = node._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> };
      if (def.type !== 'object' || !def.shape) continue;
      if (key === null) return Object.keys(def.shape);
      const child = def.shape[String(key)];
      if (child) next.push(child);
    }
    nodes = next;
  }
  return [];
}

function unwrap(node: z.core.$ZodType): z.core.$ZodType[] {
  const def = node._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType; options?: z.core.$ZodType[] };
  if (def.innerType) return unwrap(def.innerType);
  if (def.type === 'pipe' && def.in) return unwrap(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
  return [node];
}
