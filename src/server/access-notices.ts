import type { LoadedTokens } from './auth.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** What `start` tells the operator about access: lines for the terminal, and warnings for the log. */
export interface AccessNotices {
  /** Printed to stdout, never logged: holds the token the one time it is shown. */
  readonly print: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * A generated token is shown once, on the terminal only. Serving beyond the loopback
 * interface without a read token gets a warning: anyone who reaches the port can read.
 *
 * @example
 * const { print, warnings } = accessNotices(app.tokens, config.server.host);
 * for (const line of print) console.log(line);
 * for (const w of warnings) logger.warn(w);
 */
export function accessNotices(loaded: LoadedTokens, host: string): AccessNotices {
  const print = loaded.generated
    ? [`perfpilot: API token for changes (shown once; kept in ${loaded.path} with mode 0600):`, `  ${loaded.tokens.write}`]
    : [];
  const warnings = !LOOPBACK.has(host) && loaded.tokens.read === null
    ? [`serving on ${host}, beyond this machine, with no read token: anyone who can reach it can read the metrics. Set PERFPILOT_READ_TOKEN to require one.`]
    : [];
  return { print, warnings };
}
