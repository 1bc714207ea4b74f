#!/usr/bin/env -S node --max-semi-space-size=1 --single-threaded --no-opt --no-sparkplug --no-node-snapshot --expose-gc
// The CLI runs from the compiled output, which `npm ci` builds through `prepare`.
// V8 flags, each measured in bench/RESULTS.md (collect):
// - a 1 MB young-generation semi-space keeps a steady loop from growing 16 MB semi-spaces;
// - --single-threaded: GC and compilation on the main thread, no helper threads holding memory;
// - --no-opt --no-sparkplug: perfpilot's work per cycle is small and rarely hot, so the
//   optimizing compilers cost 5 MB of RSS and buy no measurable CPU (0.57 vs 0.63 % of a core
//   for `start` at 1 s);
// - --no-node-snapshot: bootstraps Node from its own sources, 2 MB less RSS for 26 ms more start;
// - --expose-gc: `start` runs a full GC every 30 s between cycles (src/util/full-gc.ts says why).
// They only take effect on the command line (v8.setFlagsFromString('--single-threaded') at run
// time aborts V8), so run this file directly (`npm start`, `npx perfpilot`), not through
// `node bin/perfpilot.js`.
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err?.code === 'ERR_MODULE_NOT_FOUND'
    ? 'perfpilot: dist/ is missing. Run `npm run build` (npm ci does it for you).'
    : err);
  process.exit(70);
});
