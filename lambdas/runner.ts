import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { parseOrKeep } from "../shared/core/poison.js";
import { batchHandler } from "../shared/core/runner/pipeline.js";
import { acceptedEventSchema } from "../shared/domain/schemas.js";
import { handlerWith, logger } from "./middleware.js";
import { runnerDeps } from "./wiring.js";

const deps = await runnerDeps();

/**
 * Kinesis → runner. Records are handled in order; at the first failure the rest of the batch is
 * reported failed from that sequence number on (Lambda retries from there), so nothing is skipped.
 * The handled records are stored once per batch (flush), before any answer; if that fails the
 * handler throws and the whole batch comes again (every stage is idempotent).
 * A record that can never be processed (not an accepted event) is kept as a poison record in the
 * payload bucket and skipped: it must not block the shard.
 */
export const handler = handlerWith(
  "runner",
  async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const handler = batchHandler(deps);
    for (const record of event.Records) {
      const sequenceNumber = record.kinesis.sequenceNumber;
      try {
        const body = Buffer.from(record.kinesis.data, "base64").toString("utf8");
        const parsed = await parseOrKeep(deps, acceptedEventSchema, {
          source: "runner",
          id: sequenceNumber,
          body,
        });
        if (!parsed.ok) {
          logger.error("poison stream record kept and skipped", { ...parsed, sequenceNumber });
          continue;
        }
        await handler.handle(parsed.value);
      } catch (err) {
        logger.error("event handling failed; retrying from this record", err as Error);
        // The records before this one are done: store them before saying so.
        await handler.flush();
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    await handler.flush();
    return { batchItemFailures: [] };
  },
);
