/**
 * The local API Gateway: one request listener, bound on 127.0.0.1 and ::1 with the same port (the
 * Python SDK calls 127.0.0.1:8288, the JS SDK localhost:8288, which may resolve to ::1).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import type { FunctionName } from "../../shared/resources.js";
import { fromResult, type HttpResponse, matchRoute, toEvent } from "./apiGatewayEvent.js";
import { type CompiledRoute, compileRoutes, INTEGRATION_TIMEOUT_MS } from "./functions.js";
import { lambdaContext } from "./lambdaContext.js";
import { consoleLogger, type Logger } from "./log.js";
import { isDashboardRequest } from "./staticSite.js";

/** A function behind a route; its result is read as API Gateway reads a v2 result. */
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface HttpServerOptions {
  /** The functions the routes lead to, by manifest name. */
  handlers: { get(name: FunctionName): HttpHandler };
  /** The HTTP API's routes; default: the manifest's. */
  routes?: CompiledRoute[];
  /** 0 = a free port. */
  port?: number;
  /** Bind only this address; default both loopbacks. */
  host?: string;
  /** API Gateway's payload limit. */
  maxBodyBytes?: number;
  /** API Gateway's integration timeout (the handler keeps running, the client gets a 503). */
  integrationTimeoutMs?: number;
  /**
   * True while the runtime stops: only what requests still running need is served (the SDK's
   * checkpoints and its reads of a run's state under use_api); anything else, new events above
   * all, gets a 503 until the server closes.
   */
  stopping?: () => boolean;
  /** Answers GETs outside the API's paths (the dashboard, as CloudFront serves it); none: all go to routes. */
  dashboard?: (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;
  log?: Logger;
}

export interface LocalHttpServer {
  port: number;
  /** Addresses actually bound. */
  hosts: string[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** What the SDK calls during a request that is still running: checkpoints, and use_api reads. */
const SERVED_WHILE_STOPPING = /^\/(v1\/checkpoint|v0\/runs)\//;

const json = (statusCode: number, message: string): HttpResponse => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: Buffer.from(JSON.stringify({ message })),
});

class TooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(req.headers["content-length"] ?? 0) > limit) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) throw new TooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, r: HttpResponse, close = false): void {
  if (close) res.setHeader("connection", "close");
  res.writeHead(r.statusCode, { ...r.headers, "content-length": String(r.body.length) });
  res.end(r.body);
}

export function requestListener(opts: HttpServerOptions) {
  const log = opts.log ?? consoleLogger();
  const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const timeoutMs = opts.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const routes = opts.routes ?? compileRoutes();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      if (err instanceof TooLarge) return send(res, json(413, "Request Entity Too Large"), true);
      return send(res, json(400, "Bad Request"), true);
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    if (opts.dashboard && isDashboardRequest((req.method ?? "GET").toUpperCase(), url.pathname)) {
      try {
        return await opts.dashboard(req, res, url.pathname);
      } catch (err) {
        // The listener's promise is dropped: a failure left to it would end the process.
        log.warn(`dashboard failed on ${req.method} ${url.pathname}`, err);
        if (!res.headersSent) return send(res, json(500, "Internal Server Error"));
        res.destroy();
        return;
      }
    }
    const route = matchRoute(routes, (req.method ?? "GET").toUpperCase(), url.pathname);
    if (!route) return send(res, json(404, "Not Found"));
    const { fn } = route;
    if (opts.stopping?.() && !SERVED_WHILE_STOPPING.test(url.pathname)) {
      return send(res, json(503, "Service Unavailable: tideline dev is stopping"));
    }
    const handler = opts.handlers.get(fn.name);
    const event = toEvent(req, body, route);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), timeoutMs);
    });
    try {
      const result = await Promise.race([
        handler(event, lambdaContext(fn.spec.entry, fn.timeoutMs)),
        timeout,
      ]);
      if (result === "timeout") {
        log.warn(`${fn.spec.entry} did not answer ${event.routeKey} ${url.pathname} within ${timeoutMs} ms`);
        return send(res, json(503, "Service Unavailable"));
      }
      send(res, fromResult(result));
    } catch (err) {
      // API Gateway hides the error; the log shows it, as CloudWatch would.
      log.warn(`${fn.spec.entry} failed on ${req.method} ${url.pathname}`, err);
      send(res, json(500, "Internal Server Error"));
    } finally {
      clearTimeout(timer);
    }
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const closeServer = (s: Server) =>
  new Promise<void>((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  });

const errCode = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

export async function startHttpServer(opts: HttpServerOptions): Promise<LocalHttpServer> {
  const log = opts.log ?? consoleLogger();
  const listener = requestListener({ ...opts, log });
  const make = () => createServer((req, res) => void listener(req, res));
  if (opts.host && opts.host !== "localhost") {
    const server = make();
    const port = await listen(server, opts.port ?? 8288, opts.host);
    return { port, hosts: [opts.host], close: () => closeServer(server) };
  }
  // A random port free on 127.0.0.1 may be taken on ::1: then try another one.
  for (let attempt = 0; ; attempt++) {
    const v4 = make();
    const port = await listen(v4, opts.port ?? 8288, "127.0.0.1");
    const v6 = make();
    try {
      await listen(v6, port, "::1");
      return {
        port,
        hosts: ["127.0.0.1", "::1"],
        close: async () => {
          await Promise.all([closeServer(v4), closeServer(v6)]);
        },
      };
    } catch (err) {
      if (errCode(err) === "EADDRINUSE" && opts.port === 0 && attempt < 5) {
        await closeServer(v4);
        continue;
      }
      if (errCode(err) === "EADDRINUSE") {
        await closeServer(v4);
        throw new Error(`port ${port} is in use on ::1`, { cause: err });
      }
      log.warn(`cannot listen on [::1]:${port} (${errCode(err) ?? String(err)}); serving on 127.0.0.1 only`);
      return { port, hosts: ["127.0.0.1"], close: () => closeServer(v4) };
    }
  }
}
