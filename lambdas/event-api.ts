import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { acceptEvents } from "../shared/core/ingest/acceptEvents.js";
import { HEADERS } from "../shared/protocol/constants.js";
import { ingestDeps } from "./ingestWiring.js";
import { bodyText, handlerWith, header, httpError, json, refuseCrossSite } from "./middleware.js";

const deps = await ingestDeps();

/** `POST /e/{eventKey}`: answers `{ids, status}` exactly as the SDKs parse it. */
export const handler = handlerWith(
  "event-api",
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      refuseCrossSite(deps.mode, event);
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
