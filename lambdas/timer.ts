import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { recordPoison } from "../shared/core/poison.js";
import { handleTimer } from "../shared/core/timers/handleTimer.js";
import { parseMessage } from "../shared/domain/messages.js";
import { timerMessageSchema } from "../shared/domain/schemas.js";
import { handlerWith, logger } from "./middleware.js";
import { timerDeps } from "./wiring.js";

const deps = await timerDeps();

/** Timers queue (standard) → timer: due items take effect; early ones are delayed again. */
export const handler = handlerWith("timer", async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: { itemIdentifier: string }[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        const parsed = parseMessage(timerMessageSchema, record.body);
        if (!parsed.ok) {
          const key = await recordPoison(deps.blobs, {
            source: "timer",
            id: record.messageId,
            body: record.body,
            error: parsed.error,
            at: deps.clock.now(),
          });
          logger.error("poison timer message skipped", {
            messageId: record.messageId,
            key,
            error: parsed.error,
          });
          return;
        }
        await handleTimer(deps, parsed.value);
      } catch (err) {
        logger.error("timer delivery failed; retried", err as Error);
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
});
