/**
 * Loads the five Lambda entry points in-process. They read process.env when their module loads,
 * so this must run after the resources exist and the environment is set.
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { awsCalls } from "../../shared/adapters/aws/callCounter.js";
import type { HttpHandler } from "./http.js";
import type { KinesisHandler } from "./kinesisPoller.js";
import { projectRoot } from "./paths.js";
import type { SqsHandler } from "./sqsPoller.js";

export interface LocalHandlers {
  eventApi: HttpHandler;
  api: HttpHandler;
  runner: KinesisHandler;
  executor: SqsHandler;
  timer: SqsHandler;
}

async function load(name: string): Promise<(...args: never[]) => unknown> {
  const mod: unknown = await import(pathToFileURL(join(projectRoot, "lambdas", `${name}.ts`)).href);
  const handler = (mod as { handler?: unknown } | undefined)?.handler;
  if (typeof handler !== "function") throw new Error(`lambdas/${name}.ts does not export a handler function`);
  const fn = handler as (...args: never[]) => unknown;
  // AWS calls made inside an invocation are counted under the function's name; the emulated
  // event-source mappings' own polling stays unscoped.
  return (...args: never[]) => awsCalls.inScope(name, () => fn(...args));
}

/** The module shapes are the handlers' own contract (middy handlers over aws-lambda types). */
export async function loadHandlers(): Promise<LocalHandlers> {
  // One after the other: they share cold-start wiring that should not race.
  const eventApi = await load("event-api");
  const api = await load("api");
  const runner = await load("runner");
  const executor = await load("executor");
  const timer = await load("timer");
  return {
    eventApi: eventApi as unknown as HttpHandler,
    api: api as unknown as HttpHandler,
    runner: runner as unknown as KinesisHandler,
    executor: executor as unknown as SqsHandler,
    timer: timer as unknown as SqsHandler,
  };
}
