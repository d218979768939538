/**
 * The local runtime's reading of the function manifest (shared/resources.ts FUNCTIONS): which
 * handler module each function runs, its timeout, and how it is invoked (HTTP routes, the stream
 * mapping, a queue mapping). The CDK stack reads the same entries; test/unit/infra/manifest.test.ts
 * holds the two to the same numbers.
 */
import {
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  HTTP_INTEGRATION_TIMEOUT_SECONDS,
  type QueueName,
  type StreamName,
} from "../../shared/resources.js";

export interface LocalFunction {
  name: FunctionName;
  spec: FunctionSpec;
  /** Context.getRemainingTimeInMillis counts down from this, as on Lambda. */
  timeoutMs: number;
}

export function localFunctions(): LocalFunction[] {
  return (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => {
    const spec: FunctionSpec = FUNCTIONS[name];
    return { name, spec, timeoutMs: spec.timeoutSeconds * 1000 };
  });
}

/** How the local runtime polls for one function: the mapping's source, batch size and timeout. */
export type MappingSettings =
  | {
      kind: "stream";
      stream: StreamName;
      batchSize: number;
      parallelizationFactor: number;
      timeoutMs: number;
    }
  | { kind: "queue"; queue: QueueName; batchSize: number; timeoutMs: number };

/** The event-source mapping of a function as the local runtime emulates it (undefined for HTTP). */
export function mappingSettings(fn: LocalFunction): MappingSettings | undefined {
  const { source } = fn.spec;
  if (source.kind === "stream") {
    return {
      kind: "stream",
      stream: source.stream,
      batchSize: source.batchSize,
      parallelizationFactor: source.parallelizationFactor,
      timeoutMs: fn.timeoutMs,
    };
  }
  if (source.kind === "queue") {
    return { kind: "queue", queue: source.queue, batchSize: source.batchSize, timeoutMs: fn.timeoutMs };
  }
  return undefined;
}

/** API Gateway's integration timeout: the client gets a 503 after it, the handler runs on. */
export const INTEGRATION_TIMEOUT_MS = HTTP_INTEGRATION_TIMEOUT_SECONDS * 1000;

/** A compiled route: `POST /e/{eventKey}` becomes a method, a path pattern and parameter names. */
export interface CompiledRoute {
  routeKey: string;
  method?: string;
  pattern?: RegExp;
  params: string[];
  fn: LocalFunction;
}

/** Every HTTP route of the manifest; `$default` last (it takes what nothing else matched). */
export function compileRoutes(functions: LocalFunction[] = localFunctions()): CompiledRoute[] {
  const routes: CompiledRoute[] = [];
  for (const fn of functions) {
    if (fn.spec.source.kind !== "http") continue;
    for (const routeKey of fn.spec.source.routes) {
      if (routeKey === "$default") {
        routes.push({ routeKey, params: [], fn });
        continue;
      }
      const [method, path] = routeKey.split(" ");
      if (!method || !path) throw new Error(`invalid route key in the manifest: ${routeKey}`);
      const params: string[] = [];
      const source = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
        params.push(name);
        return "([^/]+)";
      });
      routes.push({ routeKey, method, pattern: new RegExp(`^${source}/?$`), params, fn });
    }
  }
  return routes.sort((a, b) => Number(a.routeKey === "$default") - Number(b.routeKey === "$default"));
}
