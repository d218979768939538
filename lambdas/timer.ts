import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { parseOrKeep } from "../shared/core/poison.js";
import { handleTimer } from "../shared/core/timers/handleTimer.js";
import { timerMessageSchema } from "../shared/domain/schemas.js";
import { FUNCTIONS } from "../shared/resources.js";
import { handlerWith, logger } from "./middleware.js";
import { measuredForRun, memoryOf, runOfTimer } from "./runUsage.js";
import { timerDeps } from "./wiring.js";

const deps = await timerDeps();
const MEMORY_MB = memoryOf(FUNCTIONS.timer.memoryMb);

/** Timers queue (standard) → timer: due items take effect; early ones are delayed again. */
export const handler = handlerWith("timer", async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: { itemIdentifier: string }[] = [];
  const job = { memoryMb: MEMORY_MB, share: 1 / Math.max(1, event.Records.length) };
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        const message = { source: "timer", id: record.messageId, body: record.body };
        const parsed = await parseOrKeep(deps, timerMessageSchema, message);
        if (!parsed.ok) {
          logger.error("poison timer message kept and skipped", { ...parsed, messageId: record.messageId });
          return;
        }
        await measuredForRun(deps.runUsage, runOfTimer(parsed.value.item), job, () =>
          handleTimer(deps, parsed.value),
        );
      } catch (err) {
        logger.error("timer delivery failed; retried", err as Error);
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
});
