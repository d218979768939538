/**
 * REST v1 (Inngest's paths and `{data, metadata}` envelopes): the route table, its OpenAPI
 * document and the handlers behind them live in ./rest/.
 */
export { openApiDocument, openApiRoute } from "./rest/openapi.js";
export { getEventRuns, getRun } from "./rest/reads.js";
export { type ApiAnswer, type ApiRequest, type ApiRoute, type RawRequest, Router } from "./rest/route.js";
export { type RestDeps, restRoutes } from "./rest/routes.js";
export { runView } from "./rest/views.js";
