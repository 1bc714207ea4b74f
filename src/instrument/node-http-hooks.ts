import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What hears of each timed request: its start, and its response's finish with its duration. */
export interface RequestSink {
  start(socket: Socket): void;
  finish(res: ServerResponse, socket: Socket, durationMs: number): void;
}

const kStartMs = Symbol('perfpilot.startMs');
const kSink = Symbol('perfpilot.sink');
const kHooked = Symbol('perfpilot.hooked');

/** Node calls it with the request and the server's options for responses (a highWaterMark). */
type ResponseClass = new (req: IncomingMessage, options?: object) => ServerResponse;
type TimedResponse = ServerResponse & { [kStartMs]?: number; [kSink]?: RequestSink };
type HookedServer = Server & { [kHooked]?: { readonly sink: RequestSink; readonly original: ResponseClass } };

/**
 * How perfpilot learns when each request starts and its response finishes, at the least cost
 * measured (bench/RESULTS.md, "instrument"):
 * - **Start:** a node:http server makes each request's response with the class it keeps under
 *   Node's `ServerResponse` symbol (`http.createServer({ ServerResponse })` sets it). Attaching
 *   puts a subclass there whose constructor notes the start time on the response.
 * - **Finish:** Node calls `detachSocket` on a response when it finishes, right after its
 *   'finish' event. While a server is attached, `http.ServerResponse.prototype.detachSocket` is
 *   wrapped, once for the process: on the prototype, it is found even when a framework gives
 *   responses a prototype of its own (Express does, and inherits from this one).
 * Node's `http.server.request.start` / `response.finish` diagnostics channels would tell the same,
 * but build a message per request for it: about 2 % of a hello-world request's CPU here, twice
 * what this costs in all.
 */
export function hookServer(server: Server, sink: RequestSink): void {
  const s = server as HookedServer;
  const hooked = s[kHooked];
  if (hooked !== undefined) {
    if (hooked.sink === sink) return;
    throw new Error('this server is already attached to another perfpilot instrumentation: close() that one first, or attach the server to one only');
  }
  const key = responseClassKey(server);
  const original = (server as unknown as Record<symbol, ResponseClass>)[key]!;
  (server as unknown as Record<symbol, ResponseClass>)[key] = class TimedServerResponse extends original {
    constructor(req: IncomingMessage, options?: object) {
      super(req, options);
      (this as TimedResponse)[kSink] = sink;
      (this as TimedResponse)[kStartMs] = performance.now();
      sink.start(req.socket);
    }
  };
  s[kHooked] = { sink, original };
  if (hookedServers++ === 0) ServerResponse.prototype.detachSocket = timedDetachSocket;
}

/** Stops timing `server`'s new requests (those in flight still finish into `sink`). */
export function unhookServer(server: Server, sink: RequestSink): void {
  const s = server as HookedServer;
  const hooked = s[kHooked];
  if (hooked?.sink !== sink) return;
  (server as unknown as Record<symbol, ResponseClass>)[responseClassKey(server)] = hooked.original;
  s[kHooked] = undefined;
  // Requests started before still finish through the wrapper while any server is hooked; once
  // none is, Node's own detachSocket is back and responses cost what they cost without perfpilot.
  if (--hookedServers === 0) ServerResponse.prototype.detachSocket = nodeDetachSocket;
}

/** Servers hooked in the process: the prototype is wrapped while there is one. */
let hookedServers = 0;
const nodeDetachSocket = ServerResponse.prototype.detachSocket;

function timedDetachSocket(this: TimedResponse, socket: Socket): void {
  const startMs = this[kStartMs];
  if (startMs !== undefined) this[kSink]!.finish(this, socket, performance.now() - startMs);
  nodeDetachSocket.call(this, socket);
}

/** The symbol under which Node's http and https servers keep the class of their responses. */
function responseClassKey(server: Server): symbol {
  const key = Object.getOwnPropertySymbols(server).find((k) => k.description === 'ServerResponse');
  if (key === undefined || typeof (server as unknown as Record<symbol, unknown>)[key] !== 'function') {
    throw new Error(`perfpilot can attach to node:http and node:https servers only: this one keeps no ServerResponse class (Node ${process.version}); pass the server of http.createServer / https.createServer, or fastify.server for Fastify`);
  }
  return key;
}
