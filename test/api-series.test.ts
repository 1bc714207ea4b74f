import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { until } from './support/until.js';

describe('GET /api/v1/metrics/series with a remote source', () => {
  let app: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 9: the remote source fails, which changes nothing about its series.
    app = await startTestApp({ interval: '1s', sources: { host: {}, prometheus: { url: 'http://127.0.0.1:9', preset: 'exporters' } } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves the sampled fields by step, and names the remote source whose fields it cannot', async () => {
    let series = { t: [] as number[], values: {} as Record<string, (number | null)[]>, notes: [] as { source: string; message: string }[] };
    await until(async () => {
      const to = Date.now();
      const res = await fetch(`${app.url}/api/v1/metrics/series?fields=resources.memory.used,cache.hitRate&from=${to - 6_000}&to=${to}&step=1s`);
      series = (await res.json()) as typeof series;
      return series.values['resources.memory.used']!.filter((v) => v !== null).length >= 2;
    }, { everyMs: 250, message: 'no host samples within 20 s' });
    expect(series.t).toHaveLength(6);
    expect(series.values['resources.memory.used']!.find((v) => v !== null)).toBeGreaterThan(0);
    // No Redis here, and Prometheus is not sampled: no data, never 0.
    expect(series.values['cache.hitRate']).toEqual([null, null, null, null, null, null]);
    expect(series.notes).toEqual([{ source: 'prometheus', message: expect.stringContaining('prometheus is queried for a whole window, not sampled') }]);
    expect(series.notes[0]!.message).toContain('GET /api/v1/metrics?from=&to=');
  });

  it('lists no note when every source is sampled', async () => {
    const local = await startTestApp({ interval: '1s', sources: { host: {} } });
    try {
      const res = await fetch(`${local.url}/api/v1/metrics/series?field=resources.cpu.usage&from=${Date.now() - 5_000}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { notes: unknown[] }).notes).toEqual([]);
    } finally {
      await local.stop();
    }
  });
});
