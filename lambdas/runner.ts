import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { acceptedEventSchema, parseMessage } from "../shared/core/messages.js";
import { batchHandler } from "../shared/core/runner/startRuns.js";
import type { AcceptedEvent } from "../shared/core/types.js";
import { handlerWith, logger } from "./middleware.js";
import { runnerDeps } from "./wiring.js";

const deps = await runnerDeps();

/**
 * Kinesis → runner. Records are handled in order; at the first failure the rest of the batch is
 * reported failed from that sequence number on (Lambda retries from there), so nothing is skipped.
 * A record that is not a valid accepted event can never succeed: it is logged and skipped.
 */
export const handler = handlerWith(
  "runner",
  async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const handle = batchHandler(deps);
    for (const record of event.Records) {
      const parsed = parseMessage(
        acceptedEventSchema,
        Buffer.from(record.kinesis.data, "base64").toString("utf8"),
      );
      if (!parsed.ok) {
        // It can never succeed: skip it rather than block the shard.
        logger.error("poison stream record skipped", {
          sequenceNumber: record.kinesis.sequenceNumber,
          error: parsed.error,
        });
        continue;
      }
      const accepted = parsed.value as AcceptedEvent;
      try {
        await handle(accepted);
      } catch (err) {
        logger.error("event handling failed; retrying from this record", err as Error);
        return { batchItemFailures: [{ itemIdentifier: record.kinesis.sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  },
);
