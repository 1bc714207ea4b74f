// The dashboard: loads every panel from /api/v1, redraws on live events and on a timer.
import { ApiError, askToken, followEvents, getJson, setToken } from './api.js';
import { ALL_FIELDS, drawCharts, resizeCharts, retitleCharts } from './charts.js';
import { h } from './dom.js';
import { language, setLanguage, t, translatePage } from './i18n.js';
import { renderHistory, renderPlan } from './optimize.js';
import { renderAlerts, renderBanner, renderIssues, renderRecommendations, renderSilences, renderSources } from './panels.js';

const WINDOWS_MS = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };
const state = { env: null, window: localStorage.getItem('perfpilot.window') ?? '15m' };
/** About this many points per chart. */
const POINTS = 240;

const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined)).toString();

/**
 * How often perfpilot samples (config.interval, ms), asked once. A series step with no sample
 * in it is a gap, so a step is at least 1.5 intervals: never empty, whatever the jitter.
 */
let intervalMs = null;
async function collectionIntervalMs() {
  if (intervalMs === null) {
    const config = await getJson('/api/v1/config').catch(() => null);
    intervalMs = typeof config?.interval === 'number' ? config.interval : 0;
  }
  return intervalMs;
}

async function loadCharts() {
  const windowMs = WINDOWS_MS[state.window] ?? WINDOWS_MS['15m'];
  const stepMs = Math.max(1000, Math.ceil(windowMs / POINTS / 1000) * 1000, Math.ceil((1.5 * await collectionIntervalMs()) / 1000) * 1000);
  const to = Math.floor(Date.now() / stepMs) * stepMs;
  const from = to - windowMs;
  const params = { env: state.env, fields: ALL_FIELDS.join(','), from, to, step: `${stepMs / 1000}s` };
  const series = await getJson(`/api/v1/metrics/series?${q(params)}`);
  const grid = document.querySelector('#charts');
  if (!series) return;
  Object.assign(grid.dataset, { from: String(from), to: String(to), step: String(stepMs), env: state.env ?? '' });
  drawCharts(grid, series);
  document.querySelector('#series-notes').replaceChildren(...series.notes.map((n) => h('li', { 'data-source': n.source }, t('series_unsampled', { source: n.source }))));
}

async function settle(promise, fallback = null) {
  try {
    return await promise;
  } catch (err) {
    console.warn(err);
    return fallback;
  }
}

/** The environments; when reading needs a token (PERFPILOT_READ_TOKEN), asks for it once per failure. */
async function environments() {
  try {
    return await getJson('/api/v1/environments');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) return settle(Promise.reject(err));
    const token = await askToken('token_read_help');
    if (!token) return null;
    setToken(token);
    return settle(getJson('/api/v1/environments'));
  }
}

let loading = null;
export async function refresh() {
  if (loading) return loading;
  loading = (async () => {
    const envs = (await environments())?.environments ?? [];
    if (!state.env && envs.length) state.env = envs[0].name;
    fillEnvironments(envs);
    const env = q({ env: state.env });
    const [analysis, recommendations, alerts, silences, sources, plan, history] = await Promise.all([
      settle(getJson(`/api/v1/analysis?${env}`)),
      settle(getJson(`/api/v1/recommendations?${env}`)),
      settle(getJson(`/api/v1/alerts?${q({ environment: state.env })}`)),
      settle(getJson('/api/v1/silences')),
      settle(getJson(`/api/v1/sources?${env}`)),
      settle(getJson(`/api/v1/optimize/plans/latest?${env}`)),
      settle(getJson(`/api/v1/optimize/history?${env}`)),
      settle(loadCharts()),
    ]);
    renderBanner(envs, analysis);
    renderIssues(analysis);
    renderRecommendations(recommendations);
    renderAlerts(alerts);
    renderSilences(silences);
    renderSources(sources);
    renderPlan(plan, refresh);
    renderHistory(history, refresh);
    document.body.dataset.loaded = String(Date.now());
  })().finally(() => { loading = null; });
  return loading;
}

function fillEnvironments(envs) {
  const select = document.querySelector('#env');
  if (select.options.length === envs.length) return;
  select.replaceChildren(...envs.map((e) => new Option(e.name, e.name, false, e.name === state.env)));
}

function setup() {
  document.documentElement.lang = language();
  translatePage();
  const windowSelect = document.querySelector('#window');
  windowSelect.value = state.window;
  windowSelect.addEventListener('change', () => {
    state.window = windowSelect.value;
    localStorage.setItem('perfpilot.window', state.window);
    refresh();
  });
  document.querySelector('#env').addEventListener('change', (e) => { state.env = e.target.value; refresh(); });
  document.querySelector('#lang').addEventListener('click', () => {
    setLanguage(language() === 'en' ? 'ko' : 'en');
    translatePage();
    retitleCharts();
    refresh();
  });
  window.addEventListener('resize', resizeCharts);
  let pending = null;
  followEvents(() => {
    clearTimeout(pending);
    pending = setTimeout(refresh, 300);
  }, (up) => {
    const live = document.querySelector('#live');
    live.dataset.i18n = up ? 'live' : 'offline';
    live.className = up ? 'live up' : 'live';
    live.textContent = t(live.dataset.i18n);
  });
  setInterval(refresh, 30_000);
  refresh();
}

setup();
