import type { QueriedSource } from './source.js';

/**
 * A remote source whose module, and the SDK it imports, is loaded only when the source is
 * configured. The Datadog client alone holds about 120 MB once imported: a table of sources
 * that imported every SDK up front would make every perfpilot process pay for all of them.
 * Loading starts at once, in the background, so the first query's timeout does not pay for
 * it either; a query waits for it if it has not finished.
 *
 * @example loadQueried('datadog', () => import('./datadog.js').then((m) => m.createDatadogSource(config)))
 */
export function loadQueried(name: string, load: () => Promise<QueriedSource>): QueriedSource {
  const loaded = load();
  loaded.catch(() => undefined); // a failed import is reported by the first query
  return {
    kind: 'queried',
    name,
    async query(window, signal) {
      return (await loaded).query(window, signal);
    },
    async close() {
      await (await loaded.catch(() => null))?.close?.();
    },
  };
}
