import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod";
import { nodeAppHttp } from "../shared/adapters/http/appRequest.js";
import { apiKeyMatches } from "../shared/core/api/apiKeys.js";
import { devInfo } from "../shared/core/api/devInfo.js";
import { handleGraphql } from "../shared/core/api/graphql/index.js";
import { openApiRoute } from "../shared/core/api/rest/openapi.js";
import { type ApiRoute, Router, route } from "../shared/core/api/rest/route.js";
import { type RestDeps, restRoutes } from "../shared/core/api/rest/routes.js";
import { anyJson } from "../shared/core/api/rest/schemas.js";
import { registerApp, syncAppByUrl } from "../shared/core/registry/registerApp.js";
import { UnauthorizedError, ValidationError } from "../shared/domain/errors.js";
import { tryParseJson } from "../shared/domain/json.js";
import { parseMessage } from "../shared/domain/messages.js";
import { bearerMatches } from "../shared/protocol/signature.js";
import { bodyText, gzipLarge, handlerWith, httpError, json, refuseCrossSite } from "./middleware.js";
import { apiDeps } from "./wiring.js";

const deps = await apiDeps();
const restDeps: RestDeps = deps;
const VERSION = "tideline-0.1.0";

const syncRequestSchema = z.object({ url: z.string().describe("The app's serve URL") });
const anyObject = z.record(z.string(), anyJson);
const registerErrorSchema = z.object({
  status: z.number().int(),
  error: z.string(),
  code: z.enum(["unauthorized", "invalid_request"]),
});

/** Routes of the SDK, the dev server and GraphQL; REST v1 comes from the core. */
const serviceRoutes: ApiRoute[] = [
  route(
    {
      method: "POST",
      path: "/fn/register",
      auth: "none", // registerApp checks the key itself and answers in the SDK's shape
      // The SDK copies `status` from the body into the user's PUT response: always include it.
      errorBody: {
        schema: registerErrorSchema,
        shape: (status, error) => ({
          status,
          error,
          code: status === 401 ? "unauthorized" : "invalid_request",
        }),
      },
      doc: {
        operationId: "registerApp",
        summary: "Register an app (called by the SDK when it is synced)",
        tags: ["sdk"],
        requestBody: anyObject,
        responses: { 200: { description: "The app was stored", schema: anyObject } },
        errors: [400],
      },
    },
    async (req) => ({
      status: 200,
      body: await registerApp(deps, { body: req.body, authorization: req.headers.authorization }),
    }),
  ),
  route(
    {
      method: "POST",
      path: "/v1/apps/sync",
      auth: "key",
      doc: {
        operationId: "syncApp",
        summary: "Sync an app by URL (Tideline PUTs to it; the app registers itself)",
        tags: ["apps"],
        requestBody: syncRequestSchema,
        responses: {
          200: {
            description: "The app's answer to the PUT (its status is repeated in the body)",
            schema: z.object({ status: z.number().int(), app_response: anyJson }),
          },
        },
        errors: [400, 502],
      },
    },
    async (req) => {
      const parsed = parseMessage(syncRequestSchema, req.body);
      if (!parsed.ok) throw new ValidationError(`body must be JSON {"url": "<app url>"}: ${parsed.error}`);
      const res = await syncAppByUrl({ appHttp: nodeAppHttp, mode: deps.mode }, parsed.value.url);
      const answer = tryParseJson(res.body);
      return {
        status: res.status,
        body: { status: res.status, app_response: answer.ok ? answer.value : res.body },
      };
    },
  ),
  // In cloud mode /dev lists app URLs, function slugs and trigger expressions: key required.
  route(
    {
      method: "GET",
      path: "/dev",
      auth: "key",
      doc: {
        operationId: "getDevInfo",
        summary: "Dev-server info (Inngest's /dev shape)",
        tags: ["dev"],
        responses: { 200: { description: "Apps, functions and options", schema: anyObject } },
      },
    },
    async () => ({ status: 200, body: await devInfo({ ...deps, version: VERSION }) }),
  ),
  route(
    {
      method: "GET",
      path: "/health",
      auth: "none",
      doc: {
        operationId: "health",
        summary: "Liveness",
        tags: ["meta"],
        responses: {
          200: { description: "Up", schema: z.object({ status: z.literal(200), message: z.literal("OK") }) },
        },
      },
    },
    async () => ({ status: 200, body: { status: 200, message: "OK" } }),
  ),
  route(
    {
      method: "POST",
      path: "/v0/gql",
      auth: "key",
      doc: {
        operationId: "graphql",
        summary: "GraphQL (the subset of Inngest's dev-server API the dashboard and SDK tooling use)",
        tags: ["graphql"],
        requestBody: z.object({
          query: z.string(),
          variables: anyObject.nullish(),
          operationName: z.string().nullish(),
        }),
        responses: { 200: { description: "`data`, and `errors` when fields failed", schema: anyObject } },
        errors: [400],
      },
    },
    async (req) => handleGraphql(restDeps, req.body),
  ),
];

/** Every route of the API, in match order; the OpenAPI document describes exactly these. */
export const routes: readonly ApiRoute[] = [
  ...serviceRoutes,
  ...restRoutes(restDeps),
  openApiRoute(() => routes, VERSION),
];
const router = new Router(routes);

/** "key" routes need the signing key or an API key as bearer token in cloud mode; dev mode is open. */
function authorize(r: ApiRoute, authorization: string | undefined): void {
  if (r.auth !== "key" || deps.mode !== "cloud") return;
  if (bearerMatches(authorization, deps.signingKeys) || apiKeyMatches(authorization, deps.apiKeyHashes))
    return;
  throw new UnauthorizedError(
    authorization
      ? "The bearer token is neither the signing key nor an API key"
      : "A signing key or an API key is required as the bearer token",
  );
}

type Result = Promise<APIGatewayProxyStructuredResultV2>;
const defaultErrorBody = (status: number, error: string) => ({ status, error });

/** Every non-event route of the HTTP API ($default): sync, /dev, REST v1, GraphQL. */
export const handler = handlerWith("api", async (event: APIGatewayProxyEventV2): Result => {
  let errorBody: (status: number, error: string) => unknown = defaultErrorBody;
  try {
    refuseCrossSite(deps.mode, event);
    const headers = event.headers ?? {};
    const { route: r, request } = router.match({
      method: event.requestContext.http.method,
      path: event.rawPath,
      query: event.queryStringParameters ?? {},
      body: bodyText(event),
      ...(event.isBase64Encoded && event.body ? { bytes: Buffer.from(event.body, "base64") } : {}),
      headers,
    });
    if (r.errorBody) errorBody = r.errorBody.shape;
    authorize(r, headers.authorization);
    const answer = await r.handle(request());
    return gzipLarge(json(answer.status, answer.body), headers["accept-encoding"]);
  } catch (err) {
    return httpError(err, errorBody);
  }
});
