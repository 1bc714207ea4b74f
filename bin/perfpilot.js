#!/usr/bin/env node
// The CLI runs from the compiled output, which `npm ci` builds through `prepare`.
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err?.code === 'ERR_MODULE_NOT_FOUND'
    ? 'perfpilot: dist/ is missing. Run `npm run build` (npm ci does it for you).'
    : err);
  process.exit(70);
});
