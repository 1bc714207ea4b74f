import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What hears of each timed request: its start, and its response's finish with its duration. */
export interface RequestSink {
  start(socket: Socket): void;
  finish(res: ServerResponse, socket: Socket, durationMs: number): void;
}

const kStartMs = Symbol('perfpilot.startMs');
const kHooked = Symbol('perfpilot.hooked');

/** Node calls it with the request and the server's options for responses (a highWaterMark). */
type ResponseClass = new (req: IncomingMessage, options?: object) => ServerResponse;
type TimedResponse = ServerResponse & { [kStartMs]: number };
/** A server seen as its symbol-keyed slots: Node's response class, and what perfpilot hooked. */
type Slots = Record<symbol, ResponseClass> & { [kHooked]?: { readonly sink: RequestSink; readonly key: symbol; readonly original: ResponseClass } };

/**
 * How perfpilot learns when each request starts and its response finishes, at the least cost
 * measured (bench/RESULTS.md, "instrument"). A node:http server makes each request's response
 * with the class it keeps under Node's `ServerResponse` symbol (`http.createServer({
 * ServerResponse })` sets it). Attaching puts a subclass there whose constructor notes the start
 * time on the response, and gives it a `detachSocket` of its own: Node calls that on a response
 * when it finishes, right after its 'finish' event. An own property, not a method of the
 * subclass, because frameworks give responses a prototype of theirs (Express does); and not a
 * change to Node's prototype, which every response reads.
 * Node's `http.server.request.start` / `response.finish` diagnostics channels tell the same, but
 * build a message per request for it: about 2 % of a hello-world request's CPU here.
 */
export function hookServer(server: Server, sink: RequestSink): void {
  const slots = server as unknown as Slots;
  const hooked = slots[kHooked];
  if (hooked !== undefined) {
    if (hooked.sink === sink) return;
    throw new Error('this server is already attached to another perfpilot instrumentation: close() that one first, or attach the server to one only');
  }
  const key = responseClassKey(server);
  const original = slots[key]!;
  const originalDetachSocket = original.prototype.detachSocket;
  function timedDetachSocket(this: TimedResponse, socket: Socket): void {
    sink.finish(this, socket, performance.now() - this[kStartMs]);
    originalDetachSocket.call(this, socket);
  }
  slots[key] = class TimedServerResponse extends original {
    constructor(req: IncomingMessage, options?: object) {
      super(req, options);
      (this as unknown as TimedResponse)[kStartMs] = performance.now();
      this.detachSocket = timedDetachSocket;
      sink.start(req.socket);
    }
  };
  slots[kHooked] = { sink, key, original };
}

/** Stops timing `server`'s new requests; those in flight still finish into `sink`. */
export function unhookServer(server: Server, sink: RequestSink): void {
  const slots = server as unknown as Slots;
  const hooked = slots[kHooked];
  if (hooked?.sink !== sink) return;
  slots[hooked.key] = hooked.original;
  slots[kHooked] = undefined;
}

/** The class `server` makes its responses with (Node's own unless given one, or perfpilot's while attached). */
export function responseClassOf(server: Server): ResponseClass {
  return (server as unknown as Slots)[responseClassKey(server)]!;
}

/** The symbol under which Node's http and https servers keep the class of their responses. */
function responseClassKey(server: Server): symbol {
  const key = Object.getOwnPropertySymbols(server).find((k) => k.description === 'ServerResponse');
  if (key === undefined || typeof (server as unknown as Slots)[key] !== 'function') {
    throw new Error(`perfpilot can attach to node:http and node:https servers only: this one keeps no ServerResponse class (Node ${process.version}); pass the server of http.createServer / https.createServer, or fastify.server for Fastify`);
  }
  return key;
}
