import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../src/analyze/analysis.js';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { until } from './support/until.js';

type Json = Record<string, any>;

const CPU_KO = { description: 'CPU 사용률이 높습니다.', recommendation: '스케일 아웃을 고려하거나 CPU 집약적인 작업을 최적화하세요.' };
const CPU_EN = { description: 'CPU usage is high.', recommendation: 'Scale out or optimize CPU-heavy code paths.' };
const SCALE_OUT_KO = { description: '인스턴스나 CPU를 늘리거나 CPU 집약적인 코드를 최적화하세요.', impact: '부하 시 CPU 사용률과 응답 시간이 낮아집니다.' };
const SCALE_OUT_EN = { description: 'Add instances or CPU, or optimize CPU-heavy code paths.', impact: 'Lower CPU usage and response time under load.' };

describe('analysis, issues and recommendations over the API, with locale ko', () => {
  let app: TestApp;
  const get = async (path: string): Promise<Json> => {
    const res = await fetch(`${app.url}${path}`);
    expect(res.status, path).toBe(200);
    const body = (await res.json()) as Json;
    const route = app.app.api.routes.find((r) => r.method === 'GET' && r.url === path.split('?')[0]);
    expect(route!.response.safeParse(body).error?.issues ?? [], `${path} answers what its schema says`).toEqual([]);
    return body;
  };

  beforeAll(async () => {
    // high_cpu_usage made to fire on any reading: the host's CPU usage is never below 0.
    app = await startTestApp({ locale: 'ko', interval: '1s', sources: { host: {} }, rules: [{ name: 'high_cpu_usage', thresholds: { high: -1 }, clear: -2 }] });
    await until(async () => {
      const res = await fetch(`${app.url}/api/v1/analysis`);
      return res.status === 200 && ((await res.json()) as Analysis).issues.some((i) => i.type === 'high_cpu_usage');
    }, { everyMs: 250, message: 'no analysis with high_cpu_usage in 20 s' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('/api/v1/analysis: texts in the configured locale, and both languages beside them', async () => {
    const a = await get('/api/v1/analysis');
    const cpu = a.issues.find((i: Json) => i.type === 'high_cpu_usage');
    expect(cpu).toMatchObject({ severity: 'high', ...CPU_KO, text: { en: CPU_EN, ko: CPU_KO } });
    expect(a.recommendations.find((r: Json) => r.type === 'scale_out')).toMatchObject({ ...SCALE_OUT_KO, text: { en: SCALE_OUT_EN, ko: SCALE_OUT_KO } });
  });

  it('/api/v1/issues and /api/v1/recommendations carry them too', async () => {
    const { issues } = await get('/api/v1/issues');
    expect(issues.find((i: Json) => i.type === 'high_cpu_usage')).toMatchObject({ ...CPU_KO, text: { en: CPU_EN, ko: CPU_KO } });
    const { recommendations } = await get('/api/v1/recommendations');
    expect(recommendations.find((r: Json) => r.type === 'scale_out')).toMatchObject({ ...SCALE_OUT_KO, text: { en: SCALE_OUT_EN, ko: SCALE_OUT_KO } });
  });

  it('documents the texts in the OpenAPI document', async () => {
    const doc = await get('/api/v1/openapi.json');
    const issue = doc.paths['/api/v1/issues'].get.responses[200].content['application/json'].schema.properties.issues.items;
    expect(issue.required).toContain('text');
    expect(issue.properties.text.required).toEqual(['en', 'ko']);
    expect(issue.properties.text.properties.ko.properties).toEqual({ description: { type: 'string' }, recommendation: { type: 'string' } });
    const rec = doc.paths['/api/v1/recommendations'].get.responses[200].content['application/json'].schema.properties.recommendations.items;
    expect(rec.properties.text.properties.en.properties).toEqual({ description: { type: 'string' }, impact: { type: 'string' } });
  });
});
