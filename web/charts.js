// The metric charts: uPlot, one per group of fields. Gaps (null) stay gaps.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { formatValue, lastValue } from './format.js';
import { t } from './i18n.js';

const COLORS = ['#2f7ed8', '#e4a11b', '#d9534f', '#5cb85c', '#8e44ad'];

/** Each chart: a title key, its unit, and its fields with series label keys. */
export const CHARTS = [
  { id: 'latency', unit: 'ms', fields: [['application.responseTime.p50', 'p50'], ['application.responseTime.p90', 'p90'], ['application.responseTime.p99', 'p99']] },
  { id: 'errors', unit: 'ratio', fields: [['application.errorRate', '5xx']] },
  { id: 'throughput', unit: 'rps', fields: [['application.throughput', 'req/s']] },
  { id: 'users', unit: 'count', fields: [['application.concurrentUsers', 'users']] },
  { id: 'query', unit: 'ms', fields: [['database.queryTime.p50', 'p50'], ['database.queryTime.p90', 'p90'], ['database.queryTime.p99', 'p99']] },
  { id: 'connections', unit: 'count', fields: [['database.connections', 'conn']] },
  { id: 'deadlocks', unit: 'count', fields: [['database.deadlocks', 'deadlocks']] },
  { id: 'slow', unit: 'count', fields: [['database.slowQueries', 'slow']] },
  { id: 'hit', unit: 'ratio', fields: [['cache.hitRate', 'hit']] },
  { id: 'evictions', unit: 'count', fields: [['cache.evictions', 'evicted']] },
  { id: 'cache_memory', unit: 'bytes', fields: [['cache.memory.used', 's_used'], ['cache.memory.available', 's_available']] },
  { id: 'cpu', unit: 'percent', fields: [['resources.cpu.usage', 's_usage'], ['resources.cpu.throttling', 's_throttling']] },
  { id: 'memory', unit: 'bytes', fields: [['resources.memory.used', 's_used'], ['resources.memory.available', 's_available']] },
  { id: 'swap', unit: 'bytes', fields: [['resources.memory.swap', 's_swap']] },
  { id: 'disk_iops', unit: 'iops', fields: [['resources.disk.iops', 'IOPS']] },
  { id: 'disk_latency', unit: 'ms', fields: [['resources.disk.latency', 'ms']] },
  { id: 'disk_throughput', unit: 'bytes/s', fields: [['resources.disk.throughput', 'B/s']] },
];

export const ALL_FIELDS = CHARTS.flatMap((c) => c.fields.map(([f]) => f));

const plots = new Map();

function card(chart) {
  const el = document.createElement('figure');
  el.className = 'chart';
  el.dataset.chart = chart.id;
  el.innerHTML = `<figcaption><span class="chart-title"></span><span class="chart-values"></span></figcaption><div class="plot"></div><div class="chart-empty" hidden></div>`;
  return el;
}

function options(chart, width) {
  return {
    width,
    height: 150,
    legend: { show: false },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true }, y: { range: (u, min, max) => (min === null ? [0, 1] : [Math.min(0, min), max === min ? max + 1 : max * 1.05]) } },
    axes: [{ stroke: '#888', grid: { stroke: '#eee' } }, { stroke: '#888', size: 84, grid: { stroke: '#eee' }, values: (u, ticks) => ticks.map((v) => formatValue(v, chart.unit)) }],
    series: [{}, ...chart.fields.map(([field, label], i) => ({ label: t(label), stroke: COLORS[i], width: 1.5, spanGaps: false, value: (u, v) => formatValue(v, chart.unit), field }))],
  };
}

/** Draws (or redraws) every chart from a /api/v1/metrics/series answer. */
export function drawCharts(container, series) {
  // Steps before anything was collected at all are left out; later gaps stay gaps.
  const first = series.t.findIndex((_, i) => Object.values(series.values).some((col) => col[i] !== null));
  const from = first < 0 ? 0 : first;
  const xs = series.t.slice(from).map((ms) => ms / 1000);
  for (const chart of CHARTS) {
    let entry = plots.get(chart.id);
    if (!entry) {
      const el = card(chart);
      container.append(el);
      entry = { el, plot: null };
      plots.set(chart.id, entry);
    }
    const { el } = entry;
    el.querySelector('.chart-title').textContent = t(`chart_${chart.id}`);
    const columns = chart.fields.map(([f]) => (series.values[f] ?? series.t.map(() => null)).slice(from));
    const values = el.querySelector('.chart-values');
    values.replaceChildren(...chart.fields.map(([field, label], i) => {
      const latest = lastValue(columns[i]);
      const span = document.createElement('span');
      span.className = 'reading';
      span.dataset.field = field;
      span.dataset.value = latest === null ? 'null' : String(latest);
      span.style.color = COLORS[i];
      span.textContent = `${chart.fields.length > 1 ? `${t(label)} ` : ''}${formatValue(latest, chart.unit)}`;
      return span;
    }));
    const empty = columns.every((col) => col.every((v) => v === null));
    el.classList.toggle('no-data', empty);
    const note = el.querySelector('.chart-empty');
    note.hidden = !empty;
    note.textContent = t('no_data');
    const plotEl = el.querySelector('.plot');
    const width = Math.max(200, plotEl.clientWidth || el.clientWidth - 16);
    if (!entry.plot) entry.plot = new uPlot(options(chart, width), [xs, ...columns], plotEl);
    else entry.plot.setData([xs, ...columns]);
  }
}

/** Re-lays the charts out after a resize, or redraws labels after a language change. */
export function resizeCharts() {
  for (const { el, plot } of plots.values()) {
    if (plot) plot.setSize({ width: Math.max(200, el.querySelector('.plot').clientWidth), height: 150 });
  }
}

export function retitleCharts() {
  for (const chart of CHARTS) {
    const entry = plots.get(chart.id);
    if (entry) entry.el.querySelector('.chart-title').textContent = t(`chart_${chart.id}`);
  }
}
