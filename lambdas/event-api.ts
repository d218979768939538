import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { crossSiteProblem } from "../shared/core/api/crossSite.js";
import { acceptEvents } from "../shared/core/ingest/acceptEvents.js";
import { ForbiddenError } from "../shared/domain/errors.js";
import { HEADERS } from "../shared/protocol/constants.js";
import { bodyText, handlerWith, header, httpError, json } from "./middleware.js";
import { ingestDeps } from "./wiring.js";

const deps = await ingestDeps();

/** `POST /e/{eventKey}`: answers `{ids, status}` exactly as the SDKs parse it. */
export const handler = handlerWith(
  "event-api",
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      if (deps.mode === "dev") {
        const crossSite = crossSiteProblem(event.requestContext.http.method, event.headers ?? {});
        if (crossSite) throw new ForbiddenError(crossSite);
      }
      const result = await acceptEvents(deps, {
        eventKey: event.pathParameters?.eventKey ?? "",
        body: bodyText(event),
        seedHeader: header(event, HEADERS.eventIdSeed),
      });
      return json(200, result);
    } catch (err) {
      return httpError(err, (status, error) => ({ ids: [], status, error }));
    }
  },
);
