import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { recordPoison } from "../shared/core/poison.js";
import { batchHandler } from "../shared/core/runner/pipeline.js";
import { parseMessage } from "../shared/domain/messages.js";
import { acceptedEventSchema } from "../shared/domain/schemas.js";
import { handlerWith, logger } from "./middleware.js";
import { runnerDeps } from "./wiring.js";

const deps = await runnerDeps();

/**
 * Kinesis → runner. Records are handled in order; at the first failure the rest of the batch is
 * reported failed from that sequence number on (Lambda retries from there), so nothing is skipped.
 * A record that can never be processed (not an accepted event) is kept as a poison record in the
 * payload bucket and skipped: it must not block the shard.
 */
export const handler = handlerWith(
  "runner",
  async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const handle = batchHandler(deps);
    for (const record of event.Records) {
      const sequenceNumber = record.kinesis.sequenceNumber;
      try {
        const body = Buffer.from(record.kinesis.data, "base64").toString("utf8");
        const parsed = parseMessage(acceptedEventSchema, body);
        if (!parsed.ok) {
          const key = await recordPoison(deps.blobs, {
            source: "runner",
            id: sequenceNumber,
            body,
            error: parsed.error,
            at: deps.clock.now(),
          });
          logger.error("poison stream record skipped", { sequenceNumber, key, error: parsed.error });
          continue;
        }
        await handle(parsed.value);
      } catch (err) {
        logger.error("event handling failed; retrying from this record", err as Error);
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  },
);
