/**
 * The one middleware stack every handler uses: a Powertools logger with the Lambda context,
 * errors logged once (never with the event payload: events are user data), the invocation's
 * metrics published when it ends, its X-Ray subsegment on a deployed function, and HTTP error
 * mapping for the API handlers.
 */

import { gzipSync } from "node:zlib";
import { Logger } from "@aws-lambda-powertools/logger";
import middy, { type MiddyfiedHandler } from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { crossSiteProblem } from "../shared/core/api/crossSite.js";
import { ForbiddenError, TidelineError } from "../shared/domain/errors.js";
import { publishMetrics } from "./metrics.js";
import { handlerTracing } from "./tracing.js";

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;
type Level = (typeof LEVELS)[number];
const requested = (process.env.TIDELINE_LOG_LEVEL ?? "WARN").toUpperCase();
const logLevel: Level = (LEVELS as readonly string[]).includes(requested) ? (requested as Level) : "WARN";

export const logger = new Logger({ serviceName: "tideline", logLevel });

export function handlerWith<E, R>(
  name: string,
  fn: (event: E, context: Context) => Promise<R>,
): MiddyfiedHandler<E, R> {
  const handler = middy<E, R>({ timeoutEarlyInMillis: 0 }).handler(async (event: E, context: Context) => {
    logger.addContext(context);
    try {
      return await fn(event, context);
    } catch (err) {
      logger.error(`${name} failed`, err as Error);
      throw err;
    } finally {
      publishMetrics();
    }
  });
  return handlerTracing ? handler.use(handlerTracing) : handler;
}

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

/** Answers above this are gzipped for clients that accept it (Lambda caps a response at 6 MB). */
export const GZIP_ABOVE_BYTES = 1024 * 1024;

/**
 * Gzips a large JSON answer when the client accepts gzip (the SDKs' HTTP clients do): Lambda's
 * 6 MB response cap then applies to the compressed bytes, so a run's state read under `use_api`
 * (`/v0/runs/{id}/actions`, up to 32 MiB of JSON) usually fits.
 */
export function gzipLarge(
  result: APIGatewayProxyStructuredResultV2,
  acceptEncoding: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  const body = result.body;
  if (typeof body !== "string" || result.isBase64Encoded || Buffer.byteLength(body) <= GZIP_ABOVE_BYTES)
    return result;
  if (!acceptsGzip(acceptEncoding)) return result;
  return {
    ...result,
    headers: { ...result.headers, "content-encoding": "gzip", vary: "accept-encoding" },
    body: gzipSync(body).toString("base64"),
    isBase64Encoded: true,
  };
}

/** Whether an Accept-Encoding header allows gzip: `gzip` or `*`, with a q-value above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? "").split(",").some((entry) => {
    const [coding = "", ...params] = entry.trim().toLowerCase().split(";");
    if (coding.trim() !== "gzip" && coding.trim() !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Maps an error to an HTTP answer: exposable errors keep their message, others become 500. */
export function httpError(
  err: unknown,
  shape: (status: number, message: string) => unknown,
): APIGatewayProxyStructuredResultV2 {
  if (err instanceof TidelineError && err.expose) return json(err.status, shape(err.status, err.message));
  logger.error("unhandled API error", err as Error);
  return json(500, shape(500, "Internal server error"));
}

/** Decoded request body text (API Gateway base64-encodes binary bodies). */
export function bodyText(event: APIGatewayProxyEventV2): string {
  if (!event.body) return "";
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

/** Dev mode has no keys: both HTTP handlers refuse state-changing cross-site browser requests. */
export function refuseCrossSite(mode: "dev" | "cloud", event: APIGatewayProxyEventV2): void {
  if (mode !== "dev") return;
  const problem = crossSiteProblem(event.requestContext.http.method, event.headers ?? {});
  if (problem) throw new ForbiddenError(problem);
}
