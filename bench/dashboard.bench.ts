/**
 * `npm run bench dashboard`: is a dashboard chart of 10,000 points smooth? In headless
 * Chromium, one uPlot chart like the dashboard's response-time chart (3 series, 5 % gaps) is
 * drawn at 240 points (the dashboard's default), 10,000 and 100,000 points. Measured, from
 * the call to uPlot's own `draw` / `setCursor` hook: the first draw, a redraw with new data
 * (what a live update does), and a cursor move (what hovering does), as medians of 30 in ms.
 * 16.7 ms is one frame at 60 Hz.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

const UPLOT = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
const PAGE = `<!doctype html><html><head><link rel="stylesheet" href="/uPlot.min.css"></head><body><div id="c"></div>
<script type="module">
import uPlot from '/uPlot.esm.js';
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
function data(n, seed) {
  const t = [], a = [], b = [], c = [];
  for (let i = 0; i < n; i++) {
    t.push(1_700_000_000 + i * 10);
    const gap = (i * 7919 + seed) % 20 === 0;
    const base = 20 + 10 * Math.sin(i / 50 + seed);
    a.push(gap ? null : base); b.push(gap ? null : base * 3); c.push(gap ? null : base * 8 + (i % 97));
  }
  return [t, a, b, c];
}
window.measure = async (n) => {
  let done = null;
  const next = (hook) => new Promise((r) => { done = { hook, r }; });
  const fire = (hook) => () => { if (done && done.hook === hook) { const d = done; done = null; d.r(performance.now()); } };
  const opts = { width: 420, height: 150, legend: { show: false }, series: [{}, { stroke: '#2f7ed8' }, { stroke: '#e4a11b' }, { stroke: '#d9534f' }],
    hooks: { draw: [fire('draw')], setCursor: [fire('setCursor')] } };
  const first = [], redraw = [], hover = [];
  for (let k = 0; k < 30; k++) {
    const el = document.getElementById('c');
    el.replaceChildren();
    let t0 = performance.now();
    let drawn = next('draw');
    const u = new uPlot(opts, data(n, k), el);
    first.push((await drawn) - t0);
    const fresh = data(n, k + 1);
    t0 = performance.now();
    drawn = next('draw');
    u.setData(fresh);
    redraw.push((await drawn) - t0);
    await frame();
    const over = u.over.getBoundingClientRect();
    t0 = performance.now();
    const moved = next('setCursor');
    u.over.dispatchEvent(new MouseEvent('mousemove', { clientX: over.left + 50 + k * 10, clientY: over.top + 40, bubbles: true }));
    hover.push((await moved) - t0);
    u.destroy();
  }
  return { first: median(first), redraw: median(redraw), hover: median(hover) };
};
window.ready = true;
</script></body></html>`;

const server = createServer(async (req, res) => {
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  try {
    const body = await readFile(join(UPLOT, req.url!.slice(1)));
    res.writeHead(200, { 'content-type': req.url!.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
console.log('| points per series (3 series) | first draw ms | redraw with new data ms | cursor move ms |');
console.log('|---:|---:|---:|---:|');
for (const n of [240, 10_000, 100_000]) {
  const r = await page.evaluate((count) => (window as unknown as { measure(n: number): Promise<{ first: number; redraw: number; hover: number }> }).measure(count), n);
  console.log(`| ${n.toLocaleString('en')} | ${r.first.toFixed(1)} | ${r.redraw.toFixed(1)} | ${r.hover.toFixed(1)} |`);
}
await browser.close();
server.close();
