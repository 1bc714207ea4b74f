import type { QueriedSource } from './source.js';

/**
 * A remote source whose module, and the SDK it imports, loads on its first query. The
 * Datadog client alone holds about 120 MB once imported; a table of sources that imported
 * every SDK up front would make every perfpilot process pay for sources it does not use.
 *
 * @example lazyQueried('datadog', () => import('./datadog.js').then((m) => m.createDatadogSource(config)))
 */
export function lazyQueried(name: string, load: () => Promise<QueriedSource>): QueriedSource {
  let loaded: Promise<QueriedSource> | null = null;
  return {
    kind: 'queried',
    name,
    async query(window, signal) {
      loaded ??= load();
      return (await loaded).query(window, signal);
    },
    async close() {
      if (loaded) await (await loaded.catch(() => null))?.close?.();
    },
  };
}
