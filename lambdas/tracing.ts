/**
 * X-Ray for a deployed function (Powertools Tracer): each invocation gets a `## handler`
 * subsegment (annotated ColdStart and Service), and the AWS SDK clients and outgoing fetches
 * (the executor's SDK requests) show as subsegments under it. The Tracer and the X-Ray SDK are
 * loaded only there (see runtime.ts); elsewhere every helper here passes its argument through.
 * POWERTOOLS_TRACE_ENABLED=false turns tracing off on Lambda too.
 */
import type { Tracer } from "@aws-lambda-powertools/tracer";
import type { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import type { AwsClients } from "../shared/adapters/aws/clients.js";
import { isDeployedFunction } from "./runtime.js";

export type HandlerTracing = ReturnType<typeof captureLambdaHandler>;

const enabled = isDeployedFunction() && process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== "false";

async function load(): Promise<{ tracer: Tracer; middleware: HandlerTracing }> {
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import("@aws-lambda-powertools/tracer"),
    import("@aws-lambda-powertools/tracer/middleware"),
  ]);
  const tracer = new Tracer();
  // Handler answers hold user data (run outputs, event ids): they stay out of the traces.
  return { tracer, middleware: captureLambdaHandler(tracer, { captureResponse: false }) };
}

const loaded = enabled ? await load() : undefined;

/** The middleware that opens each invocation's subsegment, when tracing is on. */
export const handlerTracing: HandlerTracing | undefined = loaded?.middleware;

/** The client, its calls traced as subsegments when tracing is on (the same object either way). */
export function traced<T>(client: T): T {
  return loaded ? loaded.tracer.captureAWSv3Client(client) : client;
}

/**
 * The same lazily created clients, each traced when first used (any SDK client the set holds, so
 * clients added to it later are traced too). The document client shares the DynamoDB client's
 * middleware stack, so tracing either traces both.
 */
export function tracedClients(clients: AwsClients): AwsClients {
  if (!loaded) return clients;
  const seen = new Map<PropertyKey, unknown>();
  return new Proxy(clients, {
    get(target, key) {
      if (!seen.has(key)) {
        const value: unknown = Reflect.get(target, key, target);
        seen.set(key, isSdkClient(value) ? traced(value) : value);
      }
      return seen.get(key);
    },
  });
}

function isSdkClient(value: unknown): boolean {
  return typeof value === "object" && value !== null && "middlewareStack" in value && "send" in value;
}
