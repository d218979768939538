import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { z } from "zod";
import { devInfo } from "../shared/core/api/devInfo.js";
import { getEventRuns, getRun } from "../shared/core/api/restV1.js";
import { registerApp, syncAppByUrl } from "../shared/core/registry/registerApp.js";
import { NotFoundError, UnauthorizedError, ValidationError } from "../shared/domain/errors.js";
import { tryParseJson } from "../shared/domain/json.js";
import { parseMessage } from "../shared/domain/messages.js";
import { bearerMatches } from "../shared/protocol/signature.js";
import { bodyText, handlerWith, header, httpError, json } from "./middleware.js";
import { apiDeps } from "./wiring.js";

const deps = await apiDeps();
const syncRequestSchema = z.object({ url: z.string() });
const VERSION = "tideline-0.1.0";

type Route = (event: APIGatewayProxyEventV2, params: string[]) => Promise<APIGatewayProxyStructuredResultV2>;

function requireKey(event: APIGatewayProxyEventV2): void {
  if (deps.mode === "cloud" && !bearerMatches(header(event, "authorization"), deps.signingKeys)) {
    throw new UnauthorizedError("A signing key is required as the bearer token");
  }
}

const routes: [string, RegExp, Route][] = [
  [
    "POST",
    /^\/fn\/register$/,
    async (event) => {
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
  ],
  [
    "POST",
    /^\/v1\/apps\/sync$/,
    async (event) => {
      requireKey(event);
      const req = parseMessage(syncRequestSchema, bodyText(event));
      if (!req.ok) throw new ValidationError(`body must be JSON {"url": "<app url>"}: ${req.error}`);
      const res = await syncAppByUrl(req.value.url, fetch);
      const answer = tryParseJson(res.body);
      return json(res.status, { status: res.status, app_response: answer.ok ? answer.value : res.body });
    },
  ],
  ["GET", /^\/dev$/, async () => json(200, await devInfo({ ...deps, version: VERSION }))],
  ["GET", /^\/health$/, async () => json(200, { status: 200, message: "OK" })],
  [
    "GET",
    /^\/v1\/runs\/([^/]+)$/,
    async (event, [runId]) => {
      requireKey(event);
      return json(200, await getRun(deps, runId ?? ""));
    },
  ],
  [
    "GET",
    /^\/v1\/events\/([^/]+)\/runs$/,
    async (event, [eventId]) => {
      requireKey(event);
      return json(200, await getEventRuns(deps, eventId ?? ""));
    },
  ],
];

/** Every non-event route of the HTTP API ($default): sync, /dev, REST v1. */
export const handler = handlerWith(
  "api",
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath.replace(/\/+$/, "") || "/";
    try {
      let pathMatched = false;
      for (const [m, pattern, route] of routes) {
        const match = pattern.exec(path);
        if (!match) continue;
        pathMatched = true;
        if (m === method)
          return await route(
            event,
            match.slice(1).map((p) => decodeURIComponent(p)),
          );
      }
      if (pathMatched) return json(405, { status: 405, error: `Method ${method} not allowed on ${path}` });
      throw new NotFoundError(`No route for ${method} ${path}`);
    } catch (err) {
      return httpError(err, (status, error) => ({ status, error }));
    }
  },
);
