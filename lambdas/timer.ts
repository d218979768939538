import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { parseMessage, timerMessageSchema } from "../shared/core/messages.js";
import { handleTimer } from "../shared/core/timers/handleTimer.js";
import { handlerWith, logger } from "./middleware.js";
import { timerDeps } from "./wiring.js";

const deps = await timerDeps();

/** Timers queue (standard) → timer: due items become work jobs; early ones are delayed again. */
export const handler = handlerWith("timer", async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: { itemIdentifier: string }[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      const parsed = parseMessage(timerMessageSchema, record.body);
      if (!parsed.ok) {
        logger.error("poison timer message dropped", { messageId: record.messageId, error: parsed.error });
        return;
      }
      try {
        await handleTimer(deps, parsed.value);
      } catch (err) {
        logger.error("timer delivery failed; retried", err as Error);
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
});
