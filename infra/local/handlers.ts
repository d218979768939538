/**
 * Loads the Lambda entry point of every manifest function in-process. They read process.env when
 * their module loads, so this must run after the resources exist and the environment is set.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { awsCalls } from "../../shared/adapters/aws/callCounter.js";
import type { FunctionName } from "../../shared/resources.js";
import type { LocalFunction } from "./functions.js";
import { projectRoot } from "./paths.js";

/**
 * One function's handler as the emulated event sources call it. The result is what the handler
 * returned, unchecked: each caller parses it the way the AWS service would (API Gateway's result
 * format, the mappings' partial batch response).
 */
export type LocalHandler = (event: unknown, context: Context) => Promise<unknown>;

/** What one function's invocations took in this process (benchmarks price Lambda with it). */
export interface InvocationTotals {
  invocations: number;
  /** Summed wall time of the invocations. */
  ms: number;
  /** The same rounded up to whole milliseconds per invocation, as Lambda bills duration. */
  billedMs: number;
}

const totals = new Map<string, InvocationTotals>();
let running = 0;

/** Invocations and their durations per function entry, process-wide, since the last reset. */
export const invocationStats = {
  snapshot(): Record<string, InvocationTotals> {
    return Object.fromEntries([...totals].map(([k, v]) => [k, { ...v }]));
  },
  /** Invocations of any function running now (not reset). */
  running(): number {
    return running;
  },
  reset(): void {
    totals.clear();
  },
};

function recordInvocation(entry: string, ms: number): void {
  const t = totals.get(entry) ?? { invocations: 0, ms: 0, billedMs: 0 };
  t.invocations++;
  t.ms += ms;
  t.billedMs += Math.max(1, Math.ceil(ms));
  totals.set(entry, t);
}

/** Handlers by manifest function name. */
export interface LocalHandlers {
  get(name: FunctionName): LocalHandler;
}

async function load(fn: LocalFunction): Promise<LocalHandler> {
  const file = join(projectRoot, "lambdas", `${fn.spec.entry}.ts`);
  const mod: unknown = await import(pathToFileURL(file).href);
  const handler: unknown = typeof mod === "object" && mod !== null ? Reflect.get(mod, "handler") : undefined;
  if (typeof handler !== "function")
    throw new Error(`lambdas/${fn.spec.entry}.ts does not export a handler function`);
  // AWS calls made inside an invocation are counted under the function's entry name; the emulated
  // event-source mappings' own polling stays unscoped.
  return async (event, context) => {
    const started = performance.now();
    running++;
    try {
      const result: unknown = await awsCalls.inScope(fn.spec.entry, () =>
        Reflect.apply(handler, undefined, [event, context]),
      );
      return result;
    } finally {
      running--;
      recordInvocation(fn.spec.entry, performance.now() - started);
    }
  };
}

/** One after the other: they share cold-start wiring that should not race. */
export async function loadHandlers(functions: LocalFunction[]): Promise<LocalHandlers> {
  const loaded = new Map<FunctionName, LocalHandler>();
  for (const fn of functions) loaded.set(fn.name, await load(fn));
  return {
    get(name) {
      const handler = loaded.get(name);
      if (!handler) throw new Error(`no handler loaded for function ${name}`);
      return handler;
    },
  };
}
