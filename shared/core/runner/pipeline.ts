import type { AcceptedEvent } from "../../domain/schemas.js";
import { pausesConsumer } from "../pauses/consumer.js";
import { startRunsConsumer } from "./startRuns.js";
import type { ConsumerFactory, RunnerDeps } from "./types.js";

export type { ConsumerFactory, ConsumerOutcome, EventConsumer, RunnerDeps } from "./types.js";

/**
 * The runner's stages, in order: resume the runs waiting on the event (waitForEvent, invoke
 * results) and cancel those it cancels (cancelOn), then start the runs it triggers.
 */
export const EVENT_CONSUMERS: readonly ConsumerFactory[] = [pausesConsumer, startRunsConsumer];

/**
 * A handler for one batch of events: each event passes every consumer in order, then it is stored
 * with the runs it started (an empty list records it as unmatched, so nothing vanishes). Storing
 * last means a retried record repeats the consumers, which are idempotent, and then stores it.
 */
export function batchHandler(
  deps: RunnerDeps,
  factories: readonly ConsumerFactory[] = EVENT_CONSUMERS,
): (accepted: AcceptedEvent) => Promise<string[]> {
  const consumers = factories.map((make) => make(deps));
  return async (accepted) => {
    const runIds: string[] = [];
    for (const consumer of consumers) {
      const outcome = await consumer.consume(accepted);
      runIds.push(...(outcome.startedRunIds ?? []));
    }
    await deps.events.putEvent({ ...accepted, runIds });
    return runIds;
  };
}

/** Handles a batch in order. */
export async function handleEvents(deps: RunnerDeps, batch: AcceptedEvent[]): Promise<void> {
  const handle = batchHandler(deps);
  for (const accepted of batch) await handle(accepted);
}
