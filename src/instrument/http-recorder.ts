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
const kOpen = Symbol('perfpilot.open');
const kStartMs = Symbol('perfpilot.startMs');
const kPipelined = Symbol('perfpilot.pipelined');
const kUser = Symbol('perfpilot.user');
const kUserHigh = Symbol('perfpilot.userHigh');
const kUserLow = Symbol('perfpilot.userLow');
const kUserGeneration = Symbol('perfpilot.userGeneration');

/** What perfpilot keeps on a connection, set once when its first request starts. */
interface SocketState {
  [kRecorder]: HttpRecorder;
  /** Requests started on this connection whose response has not finished. */
  [kOpen]: number;
  /** The start of the oldest open request (HTTP/1.1 answers in order). */
  [kStartMs]: number;
  /** Starts of further pipelined requests, oldest first. */
  [kPipelined]: number[] | undefined;
  [kUser]: string | undefined;
  [kUserHigh]: number;
  [kUserLow]: number;
  /** The window generation the connection's user was last added to. */
  [kUserGeneration]: number;
}
type Sock = Socket & Partial<SocketState>;
type AttachedServer = Server & { [kRecorder]?: HttpRecorder | undefined };
interface ChannelMessage {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly socket: Sock;
  readonly server: AttachedServer;
}

/**
 * The per-request hot path. Node publishes every request's start and its response's finish on
 * the `http.server.request.start` / `http.server.response.finish` diagnostics channels; one
 * process-wide subscriber hands them to the recorder of the server they belong to. Nothing is
 * allocated or added per request: the start time lives on the connection, which answers its
 * requests in order, and there is no listener and no closure per request. Client aborts are
 * found per connection too: a socket that closes with requests still open aborted them.
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

  start(socket: Sock): void {
    const nowMs = performance.now();
    this.inFlight++;
    const open = socket[kOpen];
    if (open === undefined) {
      const state: SocketState = {
        [kRecorder]: this, [kOpen]: 1, [kStartMs]: nowMs, [kPipelined]: undefined,
        [kUser]: undefined, [kUserHigh]: 0, [kUserLow]: 0, [kUserGeneration]: -1,
      };
      Object.assign(socket, state);
      socket.once('close', onSocketClose);
    } else if (open === 0) {
      socket[kOpen] = 1;
      socket[kStartMs] = nowMs;
    } else {
      socket[kOpen] = open + 1;
      (socket[kPipelined] ??= []).push(nowMs);
    }
  }

  finish(req: IncomingMessage, res: ServerResponse, socket: Sock): void {
    const open = socket[kOpen];
    // Not started under this recorder, or its connection closed and counted it aborted.
    if (open === undefined || open === 0) return;
    const durationMs = performance.now() - socket[kStartMs]!;
    socket[kOpen] = open - 1;
    if (open > 1) socket[kStartMs] = socket[kPipelined]!.shift()!;
    this.inFlight--;
    let statusClass = (res.statusCode / 100) | 0;
    if (statusClass < 1) statusClass = 1;
    else if (statusClass > 5) statusClass = 5;
    const window = this.log.current;
    window.requests++;
    window.statusClasses[statusClass]!++;
    if (statusClass === 5) window.errors++;
    window.durations.accept(durationMs);
    this.series.observe(routeOf(req), req.method!, statusClass, durationMs);
    if (socket[kUserGeneration] !== window.generation || this.userOf !== null) this.countUser(req, socket as Sock & SocketState, window.generation);
  }

  /**
   * A user is hashed when it changes on a connection, and added to a window's HLL once per
   * window. Without a `userId` function the user is the connection's address: once per window.
   */
  private countUser(req: IncomingMessage, socket: Sock & SocketState, generation: number): void {
    const user = this.userOf === null ? (socket[kUser] ?? socket.remoteAddress) : (this.userOf(req) ?? socket.remoteAddress);
    if (user === undefined) return;
    if (socket[kUser] !== user) {
      hashString(user);
      socket[kUser] = user;
      socket[kUserHigh] = hashHigh;
      socket[kUserLow] = hashLow;
      socket[kUserGeneration] = -1;
    }
    if (socket[kUserGeneration] !== generation) {
      this.log.current.users.addHash(socket[kUserHigh], socket[kUserLow]);
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
  this[kPipelined] = undefined;
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
    if (recorder !== undefined) recorder.start(m.socket);
  });
  responseFinish.subscribe((message) => {
    const m = message as ChannelMessage;
    const recorder = m.server[kRecorder];
    if (recorder !== undefined) recorder.finish(m.request, m.response, m.socket);
  });
}
