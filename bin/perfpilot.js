#!/usr/bin/env -S node --max-semi-space-size=1 --single-threaded
// The CLI runs from the compiled output, which `npm ci` builds through `prepare`.
// V8 flags (measured in bench/RESULTS.md, collect): a 1 MB young-generation semi-space keeps a
// steady loop from growing 16 MB semi-spaces; --single-threaded does GC and compilation on
// the main thread, with no helper threads holding memory. They only take effect on the
// command line (v8.setFlagsFromString('--single-threaded') at run time aborts V8), so run
// this file directly (`npm start`, `npx perfpilot`), not through `node bin/perfpilot.js`.
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err?.code === 'ERR_MODULE_NOT_FOUND'
    ? 'perfpilot: dist/ is missing. Run `npm run build` (npm ci does it for you).'
    : err);
  process.exit(70);
});
