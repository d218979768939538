/**
 * Counts AWS API calls per "Service.Operation" (e.g. "DynamoDB.PutItem"). Cost per step is mostly
 * the number of calls it makes, so benchmarks and tests read these counts to keep them few.
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type {
  InitializeHandlerOptions,
  InitializeMiddleware,
  MetadataBearer,
  MiddlewareStack,
} from "@smithy/types";

const counts = new Map<string, number>();
/** Who made a call: the local runtime runs each handler invocation inside its function's scope. */
const scope = new AsyncLocalStorage<string>();

export const awsCalls = {
  /** Runs `fn` with its AWS calls attributed to `name` (keys become "name:Service.Operation"). */
  inScope<T>(name: string, fn: () => T): T {
    return scope.run(name, fn);
  },
  record(service: string, operation: string): void {
    const who = scope.getStore();
    const key = `${who ? `${who}:` : ""}${service}.${operation}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  },
  snapshot(): Record<string, number> {
    return Object.fromEntries(counts);
  },
  reset(): void {
    counts.clear();
  },
};

/**
 * Initialize-step middleware: it runs once per `client.send`, before the retry middleware, so a
 * retried call counts once (the logical request is what we budget; retries are rare).
 */
function countCalls<I extends object, O extends MetadataBearer>(): InitializeMiddleware<I, O> {
  return (next, context) => async (args) => {
    const service = String(context.clientName ?? "Unknown").replace(/Client$/, "");
    const operation = String(context.commandName ?? "Unknown").replace(/Command$/, "");
    awsCalls.record(service, operation);
    return next(args);
  };
}

const options: InitializeHandlerOptions = { step: "initialize", name: "tidelineCallCounter", override: true };

/** Adds the counter to a client; idempotent (a second add replaces the first by name). */
export function countAwsCalls<
  I extends object,
  O extends MetadataBearer,
  C extends { middlewareStack: MiddlewareStack<I, O> },
>(client: C): C {
  client.middlewareStack.add(countCalls<I, O>(), options);
  return client;
}
