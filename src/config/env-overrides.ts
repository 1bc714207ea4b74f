import { join } from 'node:path';

/** The environment variables perfpilot reads, and the config key each one sets (DESIGN.md §4). */
export const ENV_KEYS = {
  REDIS_URL: 'sources.redis.url',
  DATABASE_URL: 'sources.postgres.url',
  PERFPILOT_HOST: 'server.host',
  PERFPILOT_PORT: 'server.port',
  PERFPILOT_DATA: 'store.path',
  PERFPILOT_APP_TARGETS: 'sources.app.targets',
  PERFPILOT_ENV: 'environment',
  PERFPILOT_INTERVAL: 'interval',
  PERFPILOT_LOCALE: 'locale',
} as const;
export type EnvName = keyof typeof ENV_KEYS;

/** A raw (not yet validated) configuration with the environment applied, and which keys came from it. */
export interface Overridden {
  readonly raw: Record<string, unknown>;
  /** Dotted key path → the variable that set it, so errors can name both. */
  readonly origins: ReadonlyMap<string, EnvName>;
}

/**
 * Applies the environment over the file's values. Pure: takes `env`, returns a new object.
 * Empty variables are ignored. Values keep their text form where the schema must judge them
 * (a port that is not a number stays a string, so validation names it).
 *
 * @example applyEnvOverrides({ server: { port: 7070 } }, { PERFPILOT_PORT: '8080' }).raw.server // { port: 8080 }
 */
export function applyEnvOverrides(fileValues: Record<string, unknown>, env: NodeJS.ProcessEnv): Overridden {
  const raw = structuredClone(fileValues);
  const origins = new Map<string, EnvName>();
  for (const [name, path] of Object.entries(ENV_KEYS) as [EnvName, string][]) {
    const text = env[name]?.trim();
    if (!text) continue;
    setPath(raw, path.split('.'), valueFor(name, text));
    origins.set(path, name);
  }
  return { raw, origins };
}

function valueFor(name: EnvName, text: string): unknown {
  switch (name) {
    case 'PERFPILOT_PORT':
      return /^\d+$/.test(text) ? Number(text) : text;
    case 'PERFPILOT_DATA':
      return join(text, 'perfpilot.db');
    case 'PERFPILOT_APP_TARGETS':
      return text.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
    default:
      return text;
  }
}

function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
