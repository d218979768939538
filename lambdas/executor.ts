import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { executeJob } from "../shared/core/engine/executeJob.js";
import { processFifoBatch } from "../shared/core/fifoBatch.js";
import { parseOrKeep } from "../shared/core/poison.js";
import { jobSchema } from "../shared/domain/schemas.js";
import { FUNCTIONS } from "../shared/resources.js";
import { handlerWith, logger } from "./middleware.js";
import { measuredForRun, memoryOf } from "./runUsage.js";
import { executorDeps } from "./wiring.js";

const deps = await executorDeps();
/** One job per invocation (the manifest's batch size is 1): each job is a whole invocation. */
const JOB = { memoryMb: memoryOf(FUNCTIONS.executor.memoryMb), share: 1 };

/** Leave this much of the Lambda's time for committing the transition after the SDK call. */
const COMMIT_MARGIN_MS = 10_000;

/** SQS FIFO → executor: one job per record; a failure holds back the rest of its group only. */
export const handler = handlerWith(
  "executor",
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const records = event.Records.map((r) => ({ ...r, groupId: r.attributes.MessageGroupId ?? r.messageId }));
    return processFifoBatch(
      records,
      async (record: SQSRecord) => {
        const message = { source: "executor", id: record.messageId, body: record.body };
        const parsed = await parseOrKeep(deps, jobSchema, message);
        if (!parsed.ok) {
          // It can never succeed: keep it and let its group go on rather than block it forever.
          logger.error("poison work message kept and skipped", { ...parsed, messageId: record.messageId });
          return;
        }
        await measuredForRun(deps.runUsage, parsed.value.runId, JOB, () =>
          executeJob(deps, parsed.value, {
            receiveCount: Number(record.attributes.ApproximateReceiveCount ?? "1"),
            remainingMs: () => context.getRemainingTimeInMillis() - COMMIT_MARGIN_MS,
          }),
        );
      },
      (_record, err) => logger.error("job failed; it and the rest of its group are retried", err as Error),
    );
  },
);
