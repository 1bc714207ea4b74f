import type { SampledSource } from './source.js';

/**
 * A sampled source whose module, and the libraries it imports, is loaded only when the source
 * is configured (the app source's DDSketch and protobuf code is about 5 MB of a process that
 * never pulls an instrumented app). Loading starts at once; `sample` waits for it, so every
 * sample, and so every `readings` over this process's samples, comes after it. `readings`
 * over stored samples asked for before the module has loaded (the first few milliseconds of
 * a process) throws, which the window reports as this source's error.
 *
 * @example loadSampled('app', () => import('./app.js').then((m) => m.createAppSource(config)))
 */
export function loadSampled(name: string, load: () => Promise<SampledSource>): SampledSource {
  let source: SampledSource | null = null;
  const loaded = load().then((s) => (source = s));
  loaded.catch(() => undefined); // a failed import is reported by the first sample
  return {
    kind: 'sampled',
    name,
    async sample(signal) {
      return (await loaded).sample(signal);
    },
    readings(baseline, samples) {
      if (!source) throw new Error(`the ${name} source is still loading`);
      return source.readings(baseline, samples);
    },
    async close() {
      await (await loaded.catch(() => null))?.close?.();
    },
  };
}
