import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, cliArgs } from './support/cli.js';
import { PG_ADMIN_URL } from './support/postgres.js';
import { missingProgram } from './support/require.js';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { sleep } from '../src/util/sleep.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const skip = missingProgram('chromium') ?? missingProgram('redis-server');

interface Running {
  readonly child: ChildProcess;
  readonly dashboard: string;
  readonly token: string;
  readonly database: string;
  readonly redis: string;
  readonly events: Record<string, unknown>[];
}

/** Runs `perfpilot demo --json` from source and resolves once it prints its dashboard URL. */
function startDemo(): Promise<Running> {
  const child = spawn(process.execPath, cliArgs(['demo', '--json', '--phase', '3s']), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      if (event.event === 'ready') resolve({ child, dashboard: event.dashboard as string, token: event.token as string, database: event.database as string, redis: event.redis as string, events });
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Coloured pixels drawn on a chart's canvas: its series (the axes and grid are grey). */
function seriesPixels(page: Page, chart: string): Promise<number> {
  return page.$eval(`[data-chart="${chart}"] canvas`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
      if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 80) n++; // a series' colour: the axes and grid are grey
    }
    return n;
  });
}

describe.skipIf(skip !== null)('dashboard against a running demo', () => {
  let demo: Running;
  let browser: Browser;
  let page: Page;
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(path, demo.dashboard), init);
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    demo = await startDemo();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    if (demo && demo.child.exitCode === null) {
      const exited = new Promise((r) => demo.child.once('exit', r));
      demo.child.kill('SIGINT');
      await exited;
    }
  });

  it('draws the banner and the charts with data, and shows the values the API gives', async () => {
    const analysis = await until('an analysis with low_cache_hit_rate', async () => {
      const { body } = await api('/api/v1/analysis');
      return body.issues?.some((i: { type: string }) => i.type === 'low_cache_hit_rate') && body;
    });
    const plan = await until('a plan with proposals', async () => (await api('/api/v1/optimize/plans/latest')).body.plan?.proposals.length > 0);
    expect(plan).toBe(true);
    const charted = ['application.responseTime.p50', 'application.throughput', 'cache.hitRate', 'database.queryTime.p50'];
    await until('four steps of data in every charted field', async () => {
      const { body } = await api(`/api/v1/metrics/series?fields=${charted.join(',')}&from=${Date.now() - 900_000}&step=4s`);
      return charted.every((f) => (body.values[f] as (number | null)[]).filter((v) => v !== null).length >= 4);
    });
    await page.goto(demo.dashboard);
    await page.waitForSelector('body[data-loaded]');
    const environments = (await api('/api/v1/environments')).body.environments;
    const banner = page.locator('#banner .status[data-env="demo"]');
    expect(await banner.getAttribute('data-status')).toBe(environments[0].status);
    expect(['warning', 'critical']).toContain(analysis.status);
    for (const chart of ['latency', 'hit', 'throughput', 'query']) expect(await seriesPixels(page, chart), chart).toBeGreaterThan(20);
    const grid = page.locator('#charts');
    const [from, to, step] = await Promise.all(['data-from', 'data-to', 'data-step'].map((a) => grid.getAttribute(a)));
    // Every reading shown beside every chart is the API's latest for that chart's window, and
    // a chart is drawn exactly when the API has data for it ("no data" otherwise, never 0).
    const fields = await page.locator('#charts [data-field]').evaluateAll((els) => els.map((el) => el.getAttribute('data-field')!));
    expect(fields).toHaveLength(24); // the 24 fields of the charts the issue lists
    const { body: shownSeries } = await api(`/api/v1/metrics/series?env=demo&fields=${fields.join(',')}&from=${from}&to=${to}&step=${Number(step) / 1000}s`);
    for (const field of fields) {
      const shown = await page.locator(`[data-field="${field}"]`).getAttribute('data-value');
      const last = (shownSeries.values[field] as (number | null)[]).filter((v) => v !== null).at(-1);
      expect(shown, field).toBe(last === undefined ? 'null' : String(last));
    }
    for (const figure of await page.locator('#charts figure[data-chart]').all()) {
      const chart = (await figure.getAttribute('data-chart'))!;
      const values = await figure.locator('[data-field]').evaluateAll((els) => els.map((el) => el.getAttribute('data-value')));
      const empty = values.every((v) => v === 'null');
      expect(await figure.locator('.chart-empty').isVisible(), chart).toBe(empty);
      if (empty) for (const text of await figure.locator('[data-field]').allTextContents()) expect(text, chart).toMatch(/no data$/);
      else if (values.some((v) => v !== 'null' && Number(v) !== 0)) expect(await seriesPixels(page, chart), chart).toBeGreaterThan(0);
    }
    for (const field of ['cache.hitRate', 'application.throughput', 'application.responseTime.p99', 'database.queryTime.p90', 'application.concurrentUsers', 'resources.memory.used']) {
      expect(await page.locator(`[data-field="${field}"]`).getAttribute('data-value'), `${field} has data in the demo`).not.toBe('null');
    }
    expect(await page.locator('[data-list="issues"] tr').count()).toBeGreaterThan(1);
    await page.waitForSelector('#live.up'); // following /api/v1/events
    const sources = (await api('/api/v1/sources')).body.sources as Record<string, { status: string }>;
    expect(sources.app?.status).toBe('ok');
    expect(await page.locator('[data-list="sources"] tbody tr').count()).toBe(Object.keys(sources).length);
    expect(await page.locator('[data-list="proposals"] ins[data-proposed]').first().textContent()).toMatch(/^allkeys-/);
  });

  it('shows an alert delivered to the log channel, and a silence set with the token', async () => {
    const alert = await until('an alert delivered to the log channel', async () => {
      const { body } = await api('/api/v1/alerts?environment=demo');
      return body.alerts?.find((a: { deliveries: { channel: string; status: string }[] }) => a.deliveries.some((d) => d.channel === 'log' && d.status === 'delivered'));
    });
    expect(demo.events.some((e) => e.event === 'alert' && String(e.summary).includes(alert.rule))).toBe(true);
    const silence = { matchers: ['alertname=high_cpu_usage'], duration: '1h', comment: 'busy test machine' };
    const refused = await api('/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(silence) });
    expect(refused.status).toBe(401);
    const created = await api('/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.token}` }, body: JSON.stringify(silence) });
    expect(created.status).toBe(201);
    await page.reload();
    await page.waitForSelector('body[data-loaded]');
    expect(await page.locator(`[data-list="alerts"] li[data-delivery="delivered"]`).count()).toBeGreaterThan(0);
    expect(await page.locator('#silences').textContent()).toContain('busy test machine');
    expect(await page.locator('#silences').textContent()).toContain("the demo's own load keeps this machine's CPU busy");
  });

  it('refuses an apply without the token', async () => {
    const direct = await api('/api/v1/optimize/plans/any/apply', { method: 'POST' });
    expect(direct.status).toBe(401);
    const applies: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => { if (r.method() === 'POST') applies.push(r.url()); };
    page.on('request', onRequest);
    // No token given: the page sends nothing.
    await page.click('button[data-action="apply"]');
    await page.fill('#token-dialog input', '');
    await page.click('#token-ok');
    await page.waitForFunction(() => !document.querySelector('#token-dialog')!.hasAttribute('open'));
    expect(applies).toEqual([]);
    await page.click('button[data-action="apply"]');
    await page.fill('#token-dialog input', 'not-the-token');
    await page.click('#token-ok');
    await page.waitForSelector('#optimize-message.refused');
    expect(await page.textContent('#optimize-message')).toContain('wrong bearer token');
    expect(applies).toHaveLength(1);
    page.off('request', onRequest);
    expect((await api('/api/v1/optimize/history')).body.history).toEqual([]);
  });

  it('applies a plan with the token, raises the hit rate, and rolls it back', async () => {
    const before = (await api('/api/v1/metrics?from=' + (Date.now() - 10_000))).body.metrics.cache.hitRate as number;
    await page.waitForSelector('button[data-action="apply"]');
    await page.click('button[data-action="apply"]');
    await page.fill('#token-dialog input', demo.token);
    await page.click('#token-ok');
    await page.waitForSelector('#optimize-message.ok');
    const history = (await api('/api/v1/optimize/history')).body.history;
    expect(history[0]).toMatchObject({ kind: 'apply', by: 'api', changes: expect.arrayContaining([expect.objectContaining({ parameter: 'maxmemory-policy', before: 'volatile-lru' })]) });
    const after = await until('the hit rate to rise', async () => {
      const hit = (await api('/api/v1/metrics?from=' + (Date.now() - 6_000))).body.metrics.cache.hitRate as number | null;
      return hit !== null && hit > before + 0.2 && hit;
    });
    expect(after).toBeGreaterThan(before + 0.2);
    await page.reload();
    await page.waitForSelector('button[data-action="rollback"]');
    await page.screenshot({ path: `${ROOT}/docs/dashboard.png`, fullPage: true });
    await page.click('button[data-action="rollback"]');
    await page.fill('#token-dialog input', demo.token);
    await page.click('#token-ok');
    await page.waitForSelector('#optimize-message.ok');
    const rows = (await api('/api/v1/optimize/history')).body.history;
    expect(rows[0]).toMatchObject({ kind: 'rollback', rollbackOf: history[0].id, changes: expect.arrayContaining([expect.objectContaining({ parameter: 'maxmemory-policy', after: 'volatile-lru' })]) });
    expect(rows[1]).toMatchObject({ id: history[0].id, status: 'rolled_back' });
  });

  it('switches to Korean, issues and recommendations included, and back', async () => {
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    expect(await page.textContent('#metrics h2')).toBe('지표');
    expect(await page.textContent('[data-chart="hit"] .chart-title')).toBe('캐시 적중률');
    const status = await page.locator('#banner .status').getAttribute('data-status');
    const korean: Record<string, string> = { healthy: '정상', warning: '경고', critical: '위험', none: '아직 분석 결과가 없습니다' };
    await page.waitForFunction((text) => document.querySelector('#banner .status .status-text')?.textContent === text, korean[status!]);
    expect(await page.textContent('#lang')).toBe('English');
    expect(['높음', '중간', '낮음']).toContain(await page.locator('[data-list="issues"] .badge').first().textContent());
    const issueText = async () => {
      const cells = await page.locator('[data-list="issues"] tbody tr').first().locator('td').allTextContents();
      const issues = (await api('/api/v1/analysis')).body.issues as { type: string; text: Record<'en' | 'ko', { description: string; recommendation: string }> }[];
      return { shown: { description: cells[2], recommendation: cells[3] }, api: issues.find((i) => i.type === cells[1])?.text };
    };
    await page.waitForFunction(() => /[\uAC00-\uD7A3]/.test(document.querySelector('[data-list="issues"] tbody td:nth-child(3)')?.textContent ?? ''));
    const ko = await issueText();
    expect(ko.shown).toEqual(ko.api?.ko);
    expect(ko.shown.description).not.toBe(ko.api?.en.description);
    // Counts in a recommendation (keys without a TTL) move with every analysis.
    const counted = (s: string | null) => s?.replace(/\d+/g, '#');
    const recommendations = (await api('/api/v1/recommendations')).body.recommendations as { text: Record<'en' | 'ko', { description: string }> }[];
    expect(recommendations.map((r) => counted(r.text.ko.description))).toContain(counted(await page.locator('[data-list="recommendations"] li strong').first().textContent()));
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en' && !/[\uAC00-\uD7A3]/.test(document.querySelector('[data-list="issues"] tbody td:nth-child(3)')?.textContent ?? '가'));
    const en = await issueText();
    expect(en.shown).toEqual(en.api?.en);
  });

  it('stops on SIGINT, dropping its database and stopping its Redis', async () => {
    const exited = new Promise<number | null>((r) => demo.child.once('exit', r));
    demo.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(demo.events.at(-1)).toEqual({ event: 'stopped' });
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [demo.database]);
    await admin.end();
    expect(rows).toEqual([]);
    const port = Number(new URL(demo.redis).port);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(false); });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe.skipIf(missingProgram('chromium') !== null)('dashboard with a read token', () => {
  let app: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    process.env.PERFPILOT_READ_TOKEN = 'read-8f3e';
    app = await startTestApp({ interval: '1s', sources: { host: {} } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    delete process.env.PERFPILOT_READ_TOKEN;
    await browser?.close();
    await app?.stop();
  });

  it('asks for the token to read, then shows the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/`);
    await page.waitForSelector('#token-dialog[open]');
    expect(await page.textContent('#token-dialog [data-role="help"]')).toContain('PERFPILOT_READ_TOKEN');
    await page.fill('#token-dialog input', 'read-8f3e');
    await page.click('#token-ok');
    await page.waitForSelector('#banner .status[data-env="local"]');
    await page.waitForSelector('#live.up');
    expect(await page.locator('#sources .body').textContent()).not.toContain('not available');
  });
});


describe.skipIf(missingProgram('chromium') !== null)('dashboard at a slow interval', () => {
  let app: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    // Nothing answers on port 9: Prometheus is configured, queried per window, never sampled.
    app = await startTestApp({ interval: '6s', sources: { host: {}, prometheus: { url: 'http://127.0.0.1:9' } } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('charts in steps of at least 1.5 intervals, so that no step between samples is a gap, and says which source it cannot chart', async () => {
    // 15 minutes in ~240 points would be 4 s steps: two of every three would hold no sample.
    await until('four host samples', async () => {
      const { t, values } = (await (await fetch(`${app.url}/api/v1/metrics/series?field=resources.memory.used&from=${Date.now() - 60_000}&step=6s`)).json()) as { t: number[]; values: Record<string, (number | null)[]> };
      return t.length > 0 && values['resources.memory.used']!.filter((v) => v !== null).length >= 4;
    }, 40_000);
    const page = await browser.newPage();
    await page.goto(`${app.url}/`);
    await page.waitForSelector('body[data-loaded]');
    const grid = page.locator('#charts');
    const [from, to, step] = await Promise.all(['data-from', 'data-to', 'data-step'].map(async (a) => Number(await grid.getAttribute(a))));
    expect(step).toBe(9_000);
    const { values } = (await (await fetch(`${app.url}/api/v1/metrics/series?field=resources.memory.used&from=${from}&to=${to}&step=9s`)).json()) as { values: Record<string, (number | null)[]> };
    const column = values['resources.memory.used']!;
    const first = column.findIndex((v) => v !== null);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(column.slice(first).filter((v) => v === null)).toEqual([]);
    expect(await seriesPixels(page, 'memory')).toBeGreaterThan(20);
    expect(await page.textContent('#series-notes li[data-source="prometheus"]')).toBe('prometheus is queried per window, not sampled: the charts show no series for the fields only it provides.');
  });
});
