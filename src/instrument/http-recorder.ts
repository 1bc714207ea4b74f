import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { hashHigh, hashLow, hashString } from './hyperloglog.js';
import type { HttpSeries } from './histogram.js';
import { hookServer, unhookServer, type RequestSink } from './node-http-hooks.js';
import { routeOf } from './route-of.js';
import type { WindowLog } from './window-log.js';

/** Identifies the user of a request (a header, a cookie, an authenticated id); undefined → client address. */
export type UserOf = (req: IncomingMessage) => string | null | undefined;

const kConnection = Symbol('perfpilot.connection');
/** At most this many finished requests are held back before they are added to the window. */
const HELD_MAX = 256;

/**
 * What perfpilot keeps on a connection, created when its first request starts. One property on
 * the socket, not one per field: each property added to Node's sockets changes their hidden
 * class, and enough of them slow every socket access in Node's own HTTP code.
 */
interface ConnectionState {
  readonly recorder: HttpRecorder;
  /** Requests started on this connection whose response has not finished. */
  open: number;
  user: string | undefined;
  userHigh: number;
  userLow: number;
  /** The window generation the connection's user was last added to. */
  userGeneration: number;
  /**
   * A keep-alive connection can outlive its server's attachment to one instrumentation and go on
   * under the next: this is the state of those it was under before, while they still have
   * requests in flight on it. Those finish, or abort, where they started.
   */
  readonly previous: ConnectionState | undefined;
}
type Sock = Socket & { [kConnection]?: ConnectionState };

/**
 * The per-request hot path, fed by the hooks of node-http-hooks.ts with each request's start and
 * its response's finish. Nothing is allocated per request, and there is no listener and no
 * closure per request. Client aborts are found per connection: a socket that closes with requests
 * still open aborted them.
 */
export class HttpRecorder implements RequestSink {
  inFlight = 0;
  abortedTotal = 0;
  /**
   * Finished requests not yet in the window: duration, and series id × 8 + status class. Adding
   * them a few hundred at a time keeps the sketch's and the histograms' code and memory out of
   * each request's path: under cachegrind, the L1 misses perfpilot adds to a request halved.
   */
  private readonly heldDurationsMs = new Float64Array(HELD_MAX);
  private readonly heldKeys = new Int32Array(HELD_MAX);
  private held = 0;

  constructor(private readonly log: WindowLog, private readonly series: HttpSeries, private readonly userOf: UserOf | null) {}

  attach(server: Server): void {
    hookServer(server, this);
  }

  detach(server: Server): void {
    unhookServer(server, this);
  }

  start(socket: Sock): void {
    this.inFlight++;
    const c = socket[kConnection];
    if (c !== undefined && c.recorder === this) {
      c.open++;
      return;
    }
    // A new connection, or a keep-alive one that outlived another recorder's attachment to its server.
    if (c === undefined) socket.once('close', onSocketClose);
    socket[kConnection] = { recorder: this, open: 1, user: undefined, userHigh: 0, userLow: 0, userGeneration: -1, previous: withRequestsOpen(c) };
  }

  finish(res: ServerResponse, socket: Sock, durationMs: number): void {
    let c = socket[kConnection];
    while (c !== undefined && (c.recorder !== this || c.open === 0)) c = c.previous;
    // Its connection closed first and counted it aborted.
    if (c === undefined) return;
    c.open--;
    this.inFlight--;
    const req = res.req;
    let statusClass = (res.statusCode / 100) | 0;
    if (statusClass < 1) statusClass = 1;
    else if (statusClass > 5) statusClass = 5;
    const i = this.held;
    this.heldDurationsMs[i] = durationMs;
    this.heldKeys[i] = (this.series.idOf(routeOf(req), req.method!) << 3) | statusClass;
    this.held = i + 1;
    if (i + 1 === HELD_MAX) this.flush();
    const generation = this.log.current.generation;
    if (c.userGeneration !== generation || this.userOf !== null) this.countUser(req, socket, c, generation);
  }

  /**
   * Adds the finished requests held back to the window in progress and to their series. Called
   * when HELD_MAX are held, and before anything reads the window or the series (a pull, /metrics).
   */
  flush(): void {
    const n = this.held;
    if (n === 0) return;
    this.held = 0;
    const window = this.log.current;
    const sketch = window.durations;
    const classes = window.statusClasses;
    let errors = 0;
    for (let i = 0; i < n; i++) {
      const durationMs = this.heldDurationsMs[i]!;
      const key = this.heldKeys[i]!;
      const statusClass = key & 7;
      classes[statusClass]!++;
      if (statusClass === 5) errors++;
      sketch.accept(durationMs);
      this.series.observe(key >> 3, statusClass, durationMs);
    }
    window.requests += n;
    window.errors += errors;
  }

  /**
   * A user is hashed when it changes on a connection, and added to a window's HLL once per
   * window. Without a `userId` function the user is the connection's address: once per window.
   */
  private countUser(req: IncomingMessage, socket: Sock, c: ConnectionState, generation: number): void {
    const user = this.userOf === null ? (c.user ?? socket.remoteAddress) : (this.userOf(req) ?? socket.remoteAddress);
    if (user === undefined) return;
    if (c.user !== user) {
      hashString(user);
      c.user = user;
      c.userHigh = hashHigh;
      c.userLow = hashLow;
      c.userGeneration = -1;
    }
    if (c.userGeneration !== generation) {
      this.log.current.users.addHash(c.userHigh, c.userLow);
      c.userGeneration = generation;
    }
  }

  aborted(count: number): void {
    this.inFlight -= count;
    this.abortedTotal += count;
    this.log.current.aborted += count;
  }
}

function onSocketClose(this: Sock): void {
  for (let c = this[kConnection]; c !== undefined; c = c.previous) {
    const open = c.open;
    c.open = 0;
    if (open > 0) c.recorder.aborted(open);
  }
}

/** The first of `c` and the states before it that still has requests in flight. */
function withRequestsOpen(c: ConnectionState | undefined): ConnectionState | undefined {
  while (c !== undefined && c.open === 0) c = c.previous;
  return c;
}
