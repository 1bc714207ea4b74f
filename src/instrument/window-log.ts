import { WindowAccumulator } from './window-accumulator.js';
import type { WindowData } from './sketch-envelope.js';

/** A cut window, numbered: `seq` is the cursor a puller sends back as `since`. */
interface CutWindow {
  readonly seq: number;
  readonly data: WindowData;
}

export interface WindowLogOptions {
  /** How long cut windows stay available to pullers that have not fetched them yet. */
  readonly retainMs: number;
  /** At most this many cut windows are kept, whatever their age. */
  readonly maxWindows: number;
}

export interface Pulled {
  readonly since: number;
  readonly seq: number;
  readonly gap: boolean;
  readonly window: WindowData;
}

/**
 * The window in progress and the recently cut ones.
 *
 * Every pull cuts the window in progress (swaps in a fresh accumulator, synchronously) and
 * gives the puller every cut window after its cursor, merged. So several pullers (two perfpilot
 * processes, say) each get every request exactly once, each on its own cursor; a single puller
 * gets exactly what happened since its previous pull. A puller without a cursor (its first pull)
 * gets only the window just cut, i.e. what happened since the last pull by anyone. Cut windows
 * are kept for `retainMs` (and at most `maxWindows`); a cursor older than that gets what is left
 * and `gap: true`.
 */
export class WindowLog {
  current: WindowAccumulator;
  /** The accumulator the next cut swaps in: two are reused, so a pull allocates no new HLL. */
  private spare: WindowAccumulator;
  private seq = 0;
  private readonly windows: CutWindow[] = [];

  constructor(private readonly now: () => number, private readonly options: WindowLogOptions) {
    this.current = new WindowAccumulator(now(), 0);
    this.spare = new WindowAccumulator(0, 0);
  }

  /** Cuts the window in progress and returns everything after `since` (see the class comment). */
  pull(since: number | null): Pulled {
    const endMs = this.now();
    const closing = this.current;
    this.current = this.spare.reset(endMs, closing.generation + 1);
    this.seq += 1;
    this.windows.push({ seq: this.seq, data: closing.encode(endMs) });
    this.spare = closing;
    this.prune(endMs);

    const from = since === null || !Number.isInteger(since) || since < 0 || since >= this.seq ? this.seq - 1 : since;
    const wanted = this.windows.filter((w) => w.seq > from);
    const gap = wanted[0]!.seq > from + 1;
    return { since: from, seq: this.seq, gap, window: mergeCut(wanted.map((w) => w.data)) };
  }

  private prune(nowMs: number): void {
    const oldestMs = nowMs - this.options.retainMs;
    while (this.windows.length > 1 && (this.windows.length > this.options.maxWindows || this.windows[0]!.data.endMs < oldestMs)) {
      this.windows.shift();
    }
  }
}

function mergeCut(windows: readonly WindowData[]): WindowData {
  if (windows.length === 1) return windows[0]!;
  const merged = new WindowAccumulator(windows[0]!.startMs, 0);
  for (const w of windows) merged.absorb(w);
  return merged.encode(windows.at(-1)!.endMs);
}
