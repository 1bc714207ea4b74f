import { channel } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { hashHigh, hashLow, hashString } from './hyperloglog.js';
import type { HttpSeries } from './histogram.js';
import { routeOf } from './route-of.js';
import type { WindowLog } from './window-log.js';

/** Identifies the user of a request (a header, a cookie, an authenticated id); undefined → client address. */
export type UserOf = (req: IncomingMessage) => string | null | undefined;

const kRecorder = Symbol('perfpilot.recorder');
const kStartMs = Symbol('perfpilot.startMs');
const kOpen = Symbol('perfpilot.open');
const kUser = Symbol('perfpilot.user');
const kUserHigh = Symbol('perfpilot.userHigh');
const kUserLow = Symbol('perfpilot.userLow');
const kUserGeneration = Symbol('perfpilot.userGeneration');

type Res = ServerResponse & { [kStartMs]?: number };
type Sock = Socket & {
  [kRecorder]?: HttpRecorder;
  [kOpen]?: number;
  [kUser]?: string;
  [kUserHigh]?: number;
  [kUserLow]?: number;
  [kUserGeneration]?: number;
};
type AttachedServer = Server & { [kRecorder]?: HttpRecorder | undefined };
interface ChannelMessage {
  readonly request: IncomingMessage;
  readonly response: Res;
  readonly socket: Sock;
  readonly server: AttachedServer;
}

/**
 * The per-request hot path. Node publishes every request's start and its response's finish on
 * the `http.server.request.start` / `http.server.response.finish` diagnostics channels; one
 * process-wide subscriber hands them to the recorder of the server they belong to. Nothing is
 * added per request but one number on the response: no listener, no closure. Client aborts are
 * found per connection: a socket that closes with requests still open aborted them.
 */
export class HttpRecorder {
  inFlight = 0;
  abortedTotal = 0;

  constructor(private readonly log: WindowLog, private readonly series: HttpSeries, private readonly userOf: UserOf | null) {}

  attach(server: Server): void {
    subscribeOnce();
    (server as AttachedServer)[kRecorder] = this;
  }

  detach(server: Server): void {
    const s = server as AttachedServer;
    if (s[kRecorder] === this) s[kRecorder] = undefined;
  }

  start(res: Res, socket: Sock): void {
    res[kStartMs] = performance.now();
    this.inFlight++;
    const open = socket[kOpen];
    if (open === undefined) {
      socket[kRecorder] = this;
      socket.once('close', onSocketClose);
      socket[kOpen] = 1;
    } else {
      socket[kOpen] = open + 1;
    }
  }

  finish(req: IncomingMessage, res: Res, socket: Sock): void {
    const startMs = res[kStartMs];
    // Not started under this recorder, or its socket already closed and counted it aborted.
    if (startMs === undefined || !(socket[kOpen]! > 0)) return;
    const durationMs = performance.now() - startMs;
    socket[kOpen]!--;
    this.inFlight--;
    let statusClass = (res.statusCode / 100) | 0;
    if (statusClass < 1) statusClass = 1;
    else if (statusClass > 5) statusClass = 5;
    const window = this.log.current;
    window.requests++;
    window.statusClasses[statusClass]!++;
    if (statusClass === 5) window.errors++;
    window.durations.accept(durationMs);
    this.series.observe(routeOf(req), req.method ?? '', statusClass, durationMs);
    this.countUser(req, socket, window.generation);
  }

  /** The user of a connection is hashed once; it is added to a window's HLL once per window. */
  private countUser(req: IncomingMessage, socket: Sock, generation: number): void {
    const user = (this.userOf === null ? undefined : this.userOf(req)) ?? socket.remoteAddress;
    if (user === undefined) return;
    if (socket[kUser] !== user) {
      hashString(user);
      socket[kUser] = user;
      socket[kUserHigh] = hashHigh;
      socket[kUserLow] = hashLow;
      socket[kUserGeneration] = -1;
    }
    if (socket[kUserGeneration] !== generation) {
      this.log.current.users.addHash(socket[kUserHigh]!, socket[kUserLow]!);
      socket[kUserGeneration] = generation;
    }
  }

  aborted(count: number): void {
    this.inFlight -= count;
    this.abortedTotal += count;
    this.log.current.aborted += count;
  }
}

function onSocketClose(this: Sock): void {
  const open = this[kOpen]!;
  this[kOpen] = 0;
  if (open > 0) this[kRecorder]!.aborted(open);
}

// Held here so the channels (and their subscribers) live as long as this module.
const requestStart = channel('http.server.request.start');
const responseFinish = channel('http.server.response.finish');
let subscribed = false;

function subscribeOnce(): void {
  if (subscribed) return;
  subscribed = true;
  requestStart.subscribe((message) => {
    const m = message as ChannelMessage;
    const recorder = m.server[kRecorder];
    if (recorder !== undefined) recorder.start(m.response, m.socket);
  });
  responseFinish.subscribe((message) => {
    const m = message as ChannelMessage;
    const recorder = m.server[kRecorder];
    if (recorder !== undefined) recorder.finish(m.request, m.response, m.socket);
  });
}
