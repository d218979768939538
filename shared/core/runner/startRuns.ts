import type { FunctionRecord, InngestEvent } from "../../domain/schemas.js";
import { triggerMatches, triggerPatterns } from "../../domain/triggers.js";
import { evaluateBoolean } from "../../expressions/index.js";
import type { RegistryStore } from "../../ports/index.js";
import { INTERNAL_EVENTS } from "../../protocol/constants.js";
import { buffered } from "../flow/eventGate.js";
import { rateLimit } from "../flow/rateLimit.js";
import { allCancellations } from "../runs/bulkCancel.js";
import { batchMemo } from "./batchMemo.js";
import { createRun } from "./createRun.js";
import { runIdFor } from "./runId.js";

export { runIdFor } from "./runId.js";

import type { EventConsumer, RunnerDeps } from "./types.js";

/** Event-id idempotency window (SEMANTICS 8: a second event with the same id starts no run for 24 h). */
const IDEMPOTENCY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether any of the function's event triggers matches: the name (exact or wildcard) and, when it
 * has one, the trigger's `if` expression over `event` (an expression error counts as no match).
 */
function triggersOn(fn: FunctionRecord, event: InngestEvent): boolean {
  return fn.triggers.some(
    (t) =>
      "event" in t &&
      triggerMatches(t.event, event.name) &&
      (!t.expression || evaluateBoolean(t.expression, { event })),
  );
}

/** The function an `inngest/function.invoked` event targets (`data._inngest.fn_id`), if any. */
export function invokeTarget(event: InngestEvent): string | undefined {
  if (event.name !== INTERNAL_EVENTS.functionInvoked) return undefined;
  const meta = event.data._inngest;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return undefined;
  return typeof meta.fn_id === "string" ? meta.fn_id : undefined;
}

/** Functions triggered by a name: one index lookup per pattern the name satisfies (exact + wildcards). */
async function functionsFor(registry: RegistryStore, name: string): Promise<FunctionRecord[]> {
  const found = await Promise.all(triggerPatterns(name).map((p) => registry.functionsForEvent(p)));
  const bySlug = new Map<string, FunctionRecord>();
  for (const fn of found.flat()) bySlug.set(fn.slug, fn);
  return [...bySlug.values()];
}

/**
 * Starts the runs an event triggers: each run is created at most once (idempotent under stream
 * redelivery and under duplicate event ids) and its start job is dispatched. Each distinct event
 * name is looked up once per batch (a failed lookup is not kept, so a retried record looks again).
 */
export function startRunsConsumer(deps: RunnerDeps): EventConsumer {
  const lookup = batchMemo((name) => functionsFor(deps.registry, name));
  // An invoke's target, looked up once per batch too (a fan-out invokes one function many times).
  const invokedFn = batchMemo(async (slug) => {
    const fn = await deps.registry.getFunction(slug);
    return fn && !fn.archived ? [fn] : [];
  });
  // Bulk cancellations are read once per batch, when the first run is created.
  const stored = batchMemo(() => allCancellations(deps.cancellations));

  return {
    name: "start runs",
    async consume(accepted) {
      // An invoke (PROTOCOL 7.1) or a cron tick starts its target whatever the target's triggers.
      const target = accepted.target ?? invokeTarget(accepted.event);
      const fns = target !== undefined ? await invokedFn(target) : await lookup(accepted.event.name);
      const startedRunIds: string[] = [];
      for (const fn of fns) {
        if (target === undefined && !triggersOn(fn, accepted.event)) continue;
        const limited = await rateLimit(deps, fn, accepted);
        const held = limited ? false : await buffered(deps, fn, accepted);
        if (held) {
          // Recorded with the run its buffer starts (it may not exist yet), not as unmatched.
          if (held.runId) startedRunIds.push(held.runId);
          continue;
        }
        const now = deps.clock.now();
        const created = await createRun(deps, {
          fn,
          runId: runIdFor(fn.slug, accepted),
          eventId: accepted.internalId,
          events: [accepted.event],
          idempotency: { key: `${fn.slug}\u0000${accepted.event.id}`, expiresAt: now + IDEMPOTENCY_MS },
          // A future `ts` delays the run's start until then (SEMANTICS 8).
          ...(accepted.event.ts > now ? { startAt: accepted.event.ts } : {}),
          ...(limited ? { skipped: limited } : {}),
          cancellations: () => stored("all"),
        });
        if (created.result === "duplicate") {
          deps.log?.("event id already started this function; no new run", {
            fn: fn.slug,
            eventId: accepted.internalId,
          });
          continue;
        }
        startedRunIds.push(created.run.runId);
      }
      return { startedRunIds };
    },
  };
}
