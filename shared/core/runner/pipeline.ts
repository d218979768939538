import type { AcceptedEvent, StoredEventRecord } from "../../domain/schemas.js";
import { pausesConsumer } from "../pauses/consumer.js";
import { startRunsConsumer } from "./startRuns.js";
import type { ConsumerFactory, RunnerDeps } from "./types.js";

export type { ConsumerFactory, ConsumerOutcome, EventConsumer, RunnerDeps } from "./types.js";

/**
 * The runner's stages, in order: resume the runs waiting on the event (waitForEvent, invoke
 * results) and cancel those it cancels (cancelOn), then start the runs it triggers.
 */
export const EVENT_CONSUMERS: readonly ConsumerFactory[] = [pausesConsumer, startRunsConsumer];

export interface BatchHandler {
  /** Passes one event through every consumer, in order; the runs it started. */
  handle(accepted: AcceptedEvent): Promise<string[]>;
  /**
   * Stores the events handled so far with the runs they started (an empty list records one as
   * unmatched, so nothing vanishes), in a few BatchWriteItem calls. Call it before reporting any
   * record done, failed or not: until then a handled event is not stored.
   */
  flush(): Promise<void>;
}

/**
 * A handler for one batch of events. Storing last means a retried record repeats the consumers,
 * which are idempotent, and then stores it. Start jobs go out as each run is created: gathering
 * them per batch saves SendMessageBatch calls but makes every run wait for its whole batch.
 */
export function batchHandler(
  deps: RunnerDeps,
  factories: readonly ConsumerFactory[] = EVENT_CONSUMERS,
): BatchHandler {
  let handled: StoredEventRecord[] = [];
  const consumers = factories.map((make) => make(deps));
  return {
    async handle(accepted) {
      const runIds: string[] = [];
      for (const consumer of consumers) {
        const outcome = await consumer.consume(accepted);
        runIds.push(...(outcome.startedRunIds ?? []));
      }
      handled.push({ ...accepted, runIds });
      return runIds;
    },
    async flush() {
      const records = handled;
      handled = [];
      if (records.length) await deps.events.putEvents(records);
    },
  };
}

/** Handles a batch in order, then flushes it. */
export async function handleEvents(deps: RunnerDeps, batch: AcceptedEvent[]): Promise<void> {
  const handler = batchHandler(deps);
  for (const accepted of batch) await handler.handle(accepted);
  await handler.flush();
}
