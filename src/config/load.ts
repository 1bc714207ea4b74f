import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CORE_SCHEMA, load as parseYaml, YAMLException } from 'js-yaml';
import { ConfigError } from '../errors.js';
import { redactSecrets } from '../util/redact.js';
import { Config } from './schema.js';
import { applyEnvOverrides, type EnvName } from './env-overrides.js';
import { formatIssues } from './format-issues.js';
import { LOCAL_SERVICES, tcpAnswers } from './probe-local.js';
import { RedisSourceConfig } from './sources/redis.js';
import { PostgresSourceConfig } from './sources/postgres.js';

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
export type LoadedConfigValues = DeepReadonly<Config>;

/** Whether a source is on, and why, for the startup log and `collect`'s status lines. */
export interface SourceDecision {
  readonly source: string;
  readonly on: boolean;
  readonly why: string;
}

export interface LoadedConfig {
  /** Validated, defaults applied, deeply frozen. */
  readonly config: LoadedConfigValues;
  /** The file read, or null when none was there. */
  readonly file: string | null;
  readonly decisions: readonly SourceDecision[];
}

export interface LoadOptions {
  /** `--config FILE`; it must exist. Without it `perfpilot.yaml` in `cwd` is read if present. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Probe 127.0.0.1:6379 and :5432 for unconfigured Redis/PostgreSQL (default true). */
  readonly probe?: boolean;
  readonly probeTimeoutMs?: number;
}

/**
 * Loads perfpilot.yaml (or `--config FILE`), applies the environment, validates, and turns on
 * local Redis and PostgreSQL when nothing configures them and they answer.
 * Throws ConfigError (exit 78), one line per problem, secrets redacted.
 *
 * @example const { config, decisions } = await loadConfig({ file: opts.config });
 */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const { values, file } = await readConfigFile(options);
  const { raw, origins } = applyEnvOverrides(values, env);
  const parsed = Config.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const where = file ?? 'configuration';
    throw new ConfigError(formatIssues(parsed.error.issues, Config, origins).map((line) => `${where}: ${line}`).join('\n'));
  }
  const config = parsed.data;
  const decisions = await decide(config, file, origins, options);
  return { config: deepFreeze(config), file, decisions };
}

async function readConfigFile(options: LoadOptions): Promise<{ values: Record<string, unknown>; file: string | null }> {
  const path = resolve(options.cwd ?? process.cwd(), options.file ?? 'perfpilot.yaml');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !options.file) return { values: {}, file: null };
    throw new ConfigError(`${path}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let values: unknown;
  try {
    // YAML 1.2's core schema, so `2026-01-01` stays a string and `yes` is not true.
    values = parseYaml(text, { schema: CORE_SCHEMA });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    // The reason and the place only: the message's snippet would echo the file, secrets included.
    throw new ConfigError(`${path}:${err.mark.line + 1}:${err.mark.column + 1}: YAML does not parse: ${err.reason}`);
  }
  if (values === null || values === undefined) return { values: {}, file: path };
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw new ConfigError(`${path}: (top level): got ${Array.isArray(values) ? 'a list' : typeof values}; expected a mapping of keys such as environment, sources, server`);
  }
  return { values: values as Record<string, unknown>, file: path };
}

async function decide(config: Config, file: string | null, origins: ReadonlyMap<string, EnvName>, options: LoadOptions): Promise<SourceDecision[]> {
  const probing = options.probe !== false;
  const found = new Set<string>();
  const probes = { redis: RedisSourceConfig, postgres: PostgresSourceConfig } as const;
  await Promise.all((Object.keys(probes) as (keyof typeof probes)[]).map(async (name) => {
    if (config.sources[name] !== undefined || !probing) return;
    const { host, port, config: local } = LOCAL_SERVICES[name];
    if (await tcpAnswers(host, port, options.probeTimeoutMs ?? 300)) {
      (config.sources as Record<string, unknown>)[name] = probes[name].parse(local);
      found.add(name);
    }
  }));
  const fromFile = file ? `set in ${file}` : 'set in the configuration';
  const names = new Set([...Object.keys(config.sources), ...Object.keys(Config.shape.sources.unwrap().shape)]);
  return [...names].map((source): SourceDecision => {
    const value: unknown = (config.sources as Record<string, unknown>)[source];
    const local = source in LOCAL_SERVICES ? LOCAL_SERVICES[source as keyof typeof LOCAL_SERVICES] : undefined;
    if (value === false) return { source, on: false, why: `turned off (${source}: false, ${fromFile})` };
    if (value === undefined) {
      return { source, on: false, why: local && probing ? `not configured, and nothing answered on ${local.host}:${local.port}` : 'not configured' };
    }
    if (found.has(source) && local) return { source, on: true, why: `found answering on ${local.host}:${local.port} (not configured)` };
    if (source === 'host') return { source, on: true, why: 'this machine (host: false turns it off)' };
    const url = (value as { url?: unknown }).url;
    const shown = typeof url === 'string' ? ` (${redactSecrets(url)})` : '';
    const envName = [...origins].find(([path]) => path.startsWith(`sources.${source}.`))?.[1];
    return { source, on: true, why: `${envName ? `from ${envName}` : fromFile}${shown}` };
  });
}

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}
