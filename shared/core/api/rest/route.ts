/**
 * The HTTP API's route table, independent of the transport: each route is a method, an OpenAPI
 * path template, its auth, its OpenAPI operation and a handler from a plain request to a status
 * and a JSON body. The Lambda (lambdas/api.ts) and the tests drive the same table through
 * `match`, and the OpenAPI document is generated from it (openapi.ts), so neither can drift.
 */
import type { z } from "zod";
import { NotFoundError, ValidationError } from "../../../domain/errors.js";
import { jsonNestingDepth, tryParseJson } from "../../../domain/json.js";
import { parseQuery } from "./params.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface ApiRequest {
  /** Path parameters by name, percent-decoded. */
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: string;
  /** The body's bytes, for the binary bodies (OTLP protobuf) a text body would garble. */
  bytes: Uint8Array;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface OperationDoc {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Descriptions of the path's `{name}` parameters. */
  params?: Record<string, string>;
  /** A JSON body the handler parses itself (routes made with `bodyRoute` document theirs). */
  requestBody?: z.ZodType;
  /** Success answers by status. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Error statuses besides 401 (added to "key" routes) and 500. */
  errors?: number[];
}

export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/v1/runs/{runId}`. */
  path: string;
  /** "key": the signing key as bearer token in cloud mode, checked before the handler runs. */
  auth: "key" | "none";
  doc: OperationDoc;
  /** Query parameters: parsed before the handler runs, and documented. */
  query?: z.ZodObject;
  /** JSON body: parsed before the handler runs, and documented. */
  body?: z.ZodType;
  /** How this route's errors are shaped, when not `{status, error}` (the SDK's register reply). */
  errorBody?: { schema: z.ZodType; shape(status: number, message: string): unknown };
  handle(req: ApiRequest): Promise<ApiAnswer>;
}

type RouteBase = Pick<ApiRoute, "method" | "path" | "auth" | "doc" | "errorBody">;

export function route(spec: RouteBase, handle: (req: ApiRequest) => Promise<ApiAnswer>): ApiRoute {
  return { ...spec, handle };
}

export function queryRoute<Q extends z.ZodObject>(
  spec: RouteBase & { query: Q },
  handle: (req: ApiRequest, query: z.output<Q>) => Promise<ApiAnswer>,
): ApiRoute {
  return { ...spec, handle: (req) => handle(req, parseQuery(spec.query, req.query)) };
}

/** Small JSON bodies (rerun, replay); larger ones are refused before parsing. */
const MAX_BODY_BYTES = 16 * 1024;
const MAX_BODY_DEPTH = 16;

/** Limits of a body that carries user data (a signal's payload) rather than a few options. */
export interface BodyLimits {
  maxBytes: number;
  maxDepth: number;
}

export function bodyRoute<B extends z.ZodType>(
  spec: RouteBase & { body: B; limits?: BodyLimits },
  handle: (req: ApiRequest, body: z.output<B>) => Promise<ApiAnswer>,
): ApiRoute {
  const { limits, ...rest } = spec;
  const maxBytes = limits?.maxBytes ?? MAX_BODY_BYTES;
  const maxDepth = limits?.maxDepth ?? MAX_BODY_DEPTH;
  return {
    ...rest,
    async handle(req) {
      // An empty body is an empty object: every field of these bodies may be optional.
      const text = req.body.trim() === "" ? "{}" : req.body;
      if (Buffer.byteLength(text) > maxBytes) {
        throw new ValidationError(`body is larger than ${maxBytes} bytes`, 413);
      }
      const json = jsonNestingDepth(text) <= maxDepth ? tryParseJson(text) : { ok: false as const };
      if (!json.ok) throw new ValidationError("body must be a JSON object");
      const parsed = rest.body.safeParse(json.value);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
        throw new ValidationError(`invalid body: ${problems.join("; ")}`);
      }
      return handle(req, parsed.data);
    },
  };
}

/** `{name}` segments of a path template. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
}

function patternOf(path: string): RegExp {
  const source = path
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? "([^/]+)" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

/** Path parameters, percent-decoded; a malformed escape is the client's mistake (400), not a crash. */
function decodeParams(names: string[], raw: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  try {
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(raw[i] ?? "");
    });
  } catch {
    throw new ValidationError("the path holds a malformed percent-encoding");
  }
  return params;
}

export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string | undefined>;
  body?: string;
  /** The raw body when it is not text (API Gateway's base64 bodies); `body` is its UTF-8 reading. */
  bytes?: Uint8Array;
  headers?: Record<string, string | undefined>;
}

export interface RouteMatch {
  route: ApiRoute;
  /** The request for the handler; decoding the path can fail (400), so it runs after auth. */
  request(): ApiRequest;
}

export class Router {
  private readonly compiled: { route: ApiRoute; pattern: RegExp; names: string[] }[];

  constructor(readonly routes: readonly ApiRoute[]) {
    this.compiled = routes.map((r) => ({
      route: r,
      pattern: patternOf(r.path),
      names: pathParamNames(r.path),
    }));
  }

  /** The route for a request: a path known with another method is a 405, else a 404. */
  match(raw: RawRequest): RouteMatch {
    const method = raw.method.toUpperCase();
    const path = raw.path.replace(/\/+$/, "") || "/";
    let pathMatched = false;
    for (const { route: r, pattern, names } of this.compiled) {
      const match = pattern.exec(path);
      if (!match) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      return {
        route: r,
        request: () => ({
          params: decodeParams(names, match.slice(1)),
          query: raw.query ?? {},
          body: raw.body ?? "",
          bytes: raw.bytes ?? Buffer.from(raw.body ?? "", "utf8"),
          headers: raw.headers ?? {},
        }),
      };
    }
    if (pathMatched) throw new ValidationError(`Method ${method} not allowed on ${path}`, 405);
    throw new NotFoundError(`No route for ${method} ${path}`);
  }
}
