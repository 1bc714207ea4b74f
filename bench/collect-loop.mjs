// The perfpilot side of bench/collect.bench.ts: only the collection loop, from dist/.
// Each "cycle" line on stdin runs one cycle (sample host, Redis and PostgreSQL in parallel,
// then read the window since the previous cycle) and answers with the source statuses.
import { createInterface } from 'node:readline';
import { loadConfig } from '../dist/config/load.js';
import { createSources } from '../dist/sources/create-sources.js';
import { sampleAll } from '../dist/collect/sample-all.js';
import { windowSnapshot } from '../dist/collect/window-snapshot.js';

const { config } = await loadConfig({ env: process.env, probe: false, file: process.argv[2] });
const { sources, notConfigured } = createSources(config);
let previous = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'cycle') break;
  const attempts = await sampleAll(sources, 5_000);
  const byName = new Map(sources.map((s) => [s.name, [...previous, ...attempts].filter((a) => a.source === s.name)]));
  const startMs = Math.max(...previous.map((a) => a.atMs), 0);
  const endMs = Math.max(...attempts.map((a) => a.atMs));
  const snapshot = windowSnapshot(config.environment, { startMs, endMs }, sources, byName, notConfigured);
  previous = attempts;
  process.stdout.write(`${JSON.stringify(snapshot.sources)}\n`);
}
await Promise.all(sources.map((s) => s.close?.()));
