/**
 * Translation between Node HTTP and API Gateway HTTP API payload format 2.0: the request becomes
 * an APIGatewayProxyEventV2 and the handler's result becomes the HTTP response, with the rules
 * API Gateway applies (lower-cased headers, joined repeated values, cookies apart, base64 bodies).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import * as z from "zod";
import type { CompiledRoute } from "./functions.js";

export interface Route {
  routeKey: string;
  pathParameters?: Record<string, string>;
}

/** The route a request takes, like API Gateway: the first matching route key, else `$default`. */
export function matchRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): (Route & { fn: CompiledRoute["fn"] }) | undefined {
  for (const route of routes) {
    if (!route.pattern) return { routeKey: route.routeKey, fn: route.fn };
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    const pathParameters: Record<string, string> = {};
    route.params.forEach((name, i) => {
      const raw = m[i + 1] ?? "";
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw; // kept raw: the handler rejects it
      }
    });
    return { routeKey: route.routeKey, pathParameters, fn: route.fn };
  }
  return undefined;
}

const TEXT_TYPES =
  /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|[\w.+-]+\+xml|javascript|graphql))/i;

/** Textual bodies pass as text; anything else is base64, as API Gateway does for binary media. */
export function isTextual(contentType: string | undefined): boolean {
  return contentType === undefined || contentType === "" || TEXT_TYPES.test(contentType.trim());
}

export function toEvent(req: IncomingMessage, body: Buffer, route: Route): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://localhost");
  const rawQueryString = (req.url ?? "").includes("?")
    ? (req.url ?? "").slice((req.url ?? "").indexOf("?") + 1)
    : "";
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  // rawHeaders keeps repeats; API Gateway joins them with commas and moves cookies apart.
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? "").toLowerCase();
    const value = req.rawHeaders[i + 1] ?? "";
    if (name === "cookie") {
      cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter((c) => c.length > 0)];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const method = (req.method ?? "GET").toUpperCase();
  const text = isTextual(headers["content-type"]);
  const now = new Date();
  const host = headers.host ?? "localhost";
  return {
    version: "2.0",
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** API Gateway's reading of a structured v2 result; anything else is a "simple" 200 JSON body. */
const structuredResult = z.object({
  statusCode: z.number().int(),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  cookies: z.array(z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

/**
 * A structured result maps field by field; a string or an object without statusCode is taken as a
 * 200 JSON body, which is how API Gateway reads a "simple" v2 response. An object with a
 * statusCode that is otherwise malformed (a body that is not a string…) is API Gateway's 500.
 */
export function fromResult(result: unknown): HttpResponse {
  const structured = structuredResult.safeParse(result);
  if (!structured.success && typeof result === "object" && result !== null && "statusCode" in result) {
    return {
      statusCode: 500,
      headers: { "content-type": "application/json" },
      body: Buffer.from(JSON.stringify({ message: "Internal Server Error" })),
    };
  }
  if (!structured.success) {
    const body = typeof result === "string" ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: Buffer.from(body) };
  }
  const r = structured.data;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (r.cookies && r.cookies.length > 0) headers["set-cookie"] = r.cookies;
  const raw = r.body ?? "";
  return {
    statusCode: r.statusCode,
    headers,
    body: r.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8"),
  };
}
