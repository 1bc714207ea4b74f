import { resolve } from 'node:path';
import type { LoadedConfigValues } from './load.js';

/** The path of the database file, relative paths from the working directory. */
export function storePathOf(config: LoadedConfigValues): string {
  return config.store.path === ':memory:' ? ':memory:' : resolve(config.store.path);
}
