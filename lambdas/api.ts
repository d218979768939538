import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { z } from "zod";
import { nodeAppHttp } from "../shared/adapters/http/appRequest.js";
import { devInfo } from "../shared/core/api/devInfo.js";
import { getEventRuns, getRun } from "../shared/core/api/restV1.js";
import { registerApp, syncAppByUrl } from "../shared/core/registry/registerApp.js";
import { NotFoundError, UnauthorizedError, ValidationError } from "../shared/domain/errors.js";
import { tryParseJson } from "../shared/domain/json.js";
import { parseMessage } from "../shared/domain/messages.js";
import { bearerMatches } from "../shared/protocol/signature.js";
import { bodyText, handlerWith, header, httpError, json, refuseCrossSite } from "./middleware.js";
import { apiDeps } from "./wiring.js";

const deps = await apiDeps();
const syncRequestSchema = z.object({ url: z.string() });
const VERSION = "tideline-0.1.0";

type Result = Promise<APIGatewayProxyStructuredResultV2>;

interface Route {
  method: string;
  pattern: RegExp;
  /** "key": the signing key as bearer token in cloud mode, checked before anything else. */
  auth: "key" | "none";
  handle(event: APIGatewayProxyEventV2, params: string[]): Result;
}

function requireKey(event: APIGatewayProxyEventV2): void {
  if (deps.mode === "cloud" && !bearerMatches(header(event, "authorization"), deps.signingKeys)) {
    throw new UnauthorizedError("A signing key is required as the bearer token");
  }
}

/** Path parameters, percent-decoded; a malformed escape is the client's mistake (400), not a crash. */
function decodeParams(raw: string[]): string[] {
  try {
    return raw.map((p) => decodeURIComponent(p));
  } catch {
    throw new ValidationError("the path holds a malformed percent-encoding");
  }
}

const routes: Route[] = [
  {
    method: "POST",
    pattern: /^\/fn\/register$/,
    auth: "none", // registerApp checks the key itself and answers in the SDK's shape
    async handle(event) {
      try {
        const reply = await registerApp(deps, {
          body: bodyText(event),
          authorization: header(event, "authorization"),
        });
        return json(200, reply);
      } catch (err) {
        // The SDK copies `status` from the body into the user's PUT response: always include it.
        return httpError(err, (status, error) => ({
          status,
          error,
          code: status === 401 ? "unauthorized" : "invalid_request",
        }));
      }
    },
  },
  {
    method: "POST",
    pattern: /^\/v1\/apps\/sync$/,
    auth: "key",
    async handle(event) {
      const req = parseMessage(syncRequestSchema, bodyText(event));
      if (!req.ok) throw new ValidationError(`body must be JSON {"url": "<app url>"}: ${req.error}`);
      const res = await syncAppByUrl({ appHttp: nodeAppHttp, mode: deps.mode }, req.value.url);
      const answer = tryParseJson(res.body);
      return json(res.status, { status: res.status, app_response: answer.ok ? answer.value : res.body });
    },
  },
  // In cloud mode /dev lists app URLs, function slugs and trigger expressions: key required.
  {
    method: "GET",
    pattern: /^\/dev$/,
    auth: "key",
    handle: async () => json(200, await devInfo({ ...deps, version: VERSION })),
  },
  {
    method: "GET",
    pattern: /^\/health$/,
    auth: "none",
    handle: async () => json(200, { status: 200, message: "OK" }),
  },
  {
    method: "GET",
    pattern: /^\/v1\/runs\/([^/]+)$/,
    auth: "key",
    handle: async (_event, [runId]) => json(200, await getRun(deps, runId ?? "")),
  },
  {
    method: "GET",
    pattern: /^\/v1\/events\/([^/]+)\/runs$/,
    auth: "key",
    handle: async (_event, [eventId]) => json(200, await getEventRuns(deps, eventId ?? "")),
  },
];

async function route(event: APIGatewayProxyEventV2): Result {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.replace(/\/+$/, "") || "/";
  refuseCrossSite(deps.mode, event);
  let pathMatched = false;
  for (const r of routes) {
    const match = r.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    if (r.auth === "key") requireKey(event);
    return r.handle(event, decodeParams(match.slice(1)));
  }
  if (pathMatched) return json(405, { status: 405, error: `Method ${method} not allowed on ${path}` });
  throw new NotFoundError(`No route for ${method} ${path}`);
}

/** Every non-event route of the HTTP API ($default): sync, /dev, REST v1. */
export const handler = handlerWith("api", async (event: APIGatewayProxyEventV2): Result => {
  try {
    return await route(event);
  } catch (err) {
    return httpError(err, (status, error) => ({ status, error }));
  }
});
