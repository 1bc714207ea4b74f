import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadOptions } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perfpilot-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads `yaml` (if given) from a temp file, with no process environment and no probing. */
async function load(yaml: string | null, env: NodeJS.ProcessEnv = {}, options: Partial<LoadOptions> = {}) {
  const cwd = await mkdtemp(join(dir, 'case-'));
  if (yaml !== null) await writeFile(join(cwd, 'perfpilot.yaml'), yaml);
  return loadConfig({ cwd, env, probe: false, ...options });
}

async function configError(yaml: string | null, env: NodeJS.ProcessEnv = {}): Promise<ConfigError> {
  const err = await load(yaml, env).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).exitCode).toBe(78);
  return err as ConfigError;
}

describe('loadConfig', () => {
  it('gives the defaults of DESIGN.md §4 with no file, frozen', async () => {
    const { config, file, decisions } = await load(null);
    expect(file).toBeNull();
    expect(config).toMatchObject({ environment: 'local', locale: 'en', interval: 10_000, server: { host: '127.0.0.1', port: 7070 }, store: { path: '.perfpilot/perfpilot.db' } });
    expect(config.sources.redis).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(decisions.find((d) => d.source === 'host')).toMatchObject({ on: true });
    expect(decisions.find((d) => d.source === 'redis')).toEqual({ source: 'redis', on: false, why: 'not configured' });
  });

  it('applies every environment override over the file', async () => {
    const { config, decisions } = await load('environment: staging\nserver: { port: 7000 }\nsources:\n  postgres: { url: postgres://a@db/app, slowQueryMs: 250 }\n', {
      REDIS_URL: 'redis://:hunter2@cache:6380',
      DATABASE_URL: 'postgres://app:pw@db2:5432/app',
      PERFPILOT_HOST: '0.0.0.0',
      PERFPILOT_PORT: '8080',
      PERFPILOT_DATA: '/var/lib/perfpilot',
      PERFPILOT_APP_TARGETS: 'http://10.0.0.1:9465, http://10.0.0.2:9465',
      PERFPILOT_ENV: 'prod',
      PERFPILOT_INTERVAL: '30s',
      PERFPILOT_LOCALE: 'ko',
    });
    expect(config).toMatchObject({
      environment: 'prod', locale: 'ko', interval: 30_000, server: { host: '0.0.0.0', port: 8080 },
      store: { path: '/var/lib/perfpilot/perfpilot.db' },
      sources: {
        redis: { url: 'redis://:hunter2@cache:6380' },
        postgres: { url: 'postgres://app:pw@db2:5432/app', slowQueryMs: 250 },
        app: { targets: ['http://10.0.0.1:9465', 'http://10.0.0.2:9465'] },
      },
    });
    const redis = decisions.find((d) => d.source === 'redis')!;
    expect(redis).toEqual({ source: 'redis', on: true, why: 'from REDIS_URL (redis://:***@cache:6380)' });
    expect(JSON.stringify(decisions)).not.toMatch(/hunter2|:pw@/);
  });

  it('names the key path, the value and what was expected for a wrong type', async () => {
    const err = await configError('server:\n  port: "abc"\n');
    expect(err.message).toMatch(/perfpilot\.yaml: server\.port: got "abc"; expected number$/);
  });

  it('says which environment variable gave a bad value', async () => {
    const err = await configError(null, { PERFPILOT_PORT: 'eighty' });
    expect(err.message).toBe('configuration: server.port: got "eighty" (from PERFPILOT_PORT); expected number');
  });

  it('rejects an unknown source and lists the known ones', async () => {
    const err = await configError('sources:\n  mongo: { url: mongodb://x }\n  redis: { port: 6379 }\n');
    expect(err.message.split('\n')).toEqual([
      expect.stringMatching(/perfpilot\.yaml: sources\.redis\.url: got nothing; expected string$/),
      expect.stringMatching(/perfpilot\.yaml: sources\.redis\.port: unknown key; expected one of url$/),
      expect.stringMatching(/perfpilot\.yaml: sources\.mongo: unknown key; expected one of host, redis, postgres, app/),
    ]);
  });

  it('rejects a malformed URL without showing its password', async () => {
    const err = await configError('sources:\n  redis: { url: "redis//:hunter2@cache:6379" }\n  postgres: { url: "http://admin:s3cret@db/app" }\n');
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/sources\.redis\.url: got "redis\/\/:\*\*\*@cache:6379"; expected a URL starting with redis:\/\/ or rediss:\/\//);
    expect(lines[1]).toMatch(/sources\.postgres\.url: got "http:\/\/admin:\*\*\*@db\/app"; expected a URL starting with postgres:\/\//);
    expect(err.message).not.toMatch(/hunter2|s3cret/);
  });

  it('rejects a negative interval, one line per problem', async () => {
    const err = await configError('interval: -5s\nlocale: fr\n');
    expect(err.message.split('\n')).toEqual([
      expect.stringMatching(/perfpilot\.yaml: locale: got "fr"; expected one of "en"\|"ko"$/),
      expect.stringMatching(/perfpilot\.yaml: interval: got "-5s"; expected a duration greater than 0$/),
    ]);
  });

  it('names the file and line of YAML that does not parse, without echoing it', async () => {
    const err = await configError('environment: local\nsources:\n  redis: { url: redis://:hunter2@x:6379\n  postgres: {}\n');
    expect(err.message).toMatch(/perfpilot\.yaml:\d+:\d+: YAML does not parse: /);
    expect(err.message).not.toContain('hunter2');
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('fails on a --config file that is missing', async () => {
    const err = await loadConfig({ file: join(dir, 'nope.yaml'), env: {}, probe: false }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/nope\.yaml: cannot read the configuration file \(ENOENT\)/);
  });

  it('keeps a source off with `false`, without probing', async () => {
    const { config, decisions } = await load('sources:\n  redis: false\n  host: false\n', {}, { probe: true });
    expect(config.sources.redis).toBe(false);
    expect(decisions.find((d) => d.source === 'redis')).toMatchObject({ on: false, why: expect.stringMatching(/^turned off/) });
    expect(decisions.find((d) => d.source === 'host')).toMatchObject({ on: false });
  });

  it('turns on local Redis and PostgreSQL when they answer and nothing configures them', async () => {
    const answers = (port: number) => new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    const { config, decisions } = await load(null, {}, { probe: true, probeTimeoutMs: 1_000 });
    for (const [name, port, url] of [['redis', 6379, 'redis://127.0.0.1:6379'], ['postgres', 5432, 'postgres://postgres@127.0.0.1:5432/postgres']] as const) {
      const up = await answers(port);
      expect(decisions.find((d) => d.source === name)?.on).toBe(up);
      expect(config.sources[name] ? config.sources[name].url : null).toBe(up ? url : null);
    }
  });
});
