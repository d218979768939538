import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { z } from "zod";
import { handleEvents } from "../shared/core/runner/startRuns.js";
import type { AcceptedEvent } from "../shared/core/types.js";
import { handlerWith, logger } from "./middleware.js";
import { runnerDeps } from "./wiring.js";

const deps = await runnerDeps();

const acceptedSchema = z.object({
  internalId: z.string().min(1),
  receivedAt: z.number(),
  event: z.looseObject({
    name: z.string().min(1),
    id: z.string().min(1),
    ts: z.number(),
    data: z.record(z.string(), z.unknown()),
    user: z.record(z.string(), z.unknown()),
  }),
});

/**
 * Kinesis → runner. Records are handled in order; at the first failure the rest of the batch is
 * reported failed from that sequence number on (Lambda retries from there), so nothing is skipped.
 * A record that is not a valid accepted event can never succeed: it is logged and skipped.
 */
export const handler = handlerWith(
  "runner",
  async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    for (const record of event.Records) {
      let accepted: AcceptedEvent;
      try {
        const parsed = acceptedSchema.safeParse(
          JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8")),
        );
        if (!parsed.success) throw new Error(parsed.error.message);
        accepted = parsed.data as unknown as AcceptedEvent;
      } catch (err) {
        logger.error("poison stream record skipped", {
          sequenceNumber: record.kinesis.sequenceNumber,
          error: String(err),
        });
        continue;
      }
      try {
        await handleEvents(deps, [accepted]);
      } catch (err) {
        logger.error("event handling failed; retrying from this record", err as Error);
        return { batchItemFailures: [{ itemIdentifier: record.kinesis.sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  },
);
