import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { executeJob } from "../shared/core/engine/executeJob.js";
import { jobSchema, parseMessage } from "../shared/core/jobs.js";
import { handlerWith, logger } from "./middleware.js";
import { executorDeps } from "./wiring.js";

const deps = await executorDeps();

/** Leave this much of the Lambda's time for committing the transition after the SDK call. */
const COMMIT_MARGIN_MS = 10_000;

/**
 * SQS FIFO → executor. Messages of one group are processed in order; when one fails, it and every
 * later message of its group are reported failed (FIFO order must hold), while other groups go on
 * (Powertools' skipGroupOnError rule).
 */
export const handler = handlerWith(
  "executor",
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const failedGroups = new Set<string>();
    const failures: { itemIdentifier: string }[] = [];
    const groups = new Map<string, SQSEvent["Records"]>();
    for (const r of event.Records) {
      const g = r.attributes.MessageGroupId ?? r.messageId;
      groups.set(g, [...(groups.get(g) ?? []), r]);
    }
    await Promise.all(
      [...groups.entries()].map(async ([group, records]) => {
        for (const record of records) {
          if (failedGroups.has(group)) {
            failures.push({ itemIdentifier: record.messageId });
            continue;
          }
          const parsed = parseMessage(jobSchema, record.body);
          if (!parsed.ok) {
            logger.error("poison work message dropped", { messageId: record.messageId, error: parsed.error });
            continue;
          }
          try {
            await executeJob(deps, parsed.value, {
              receiveCount: Number(record.attributes.ApproximateReceiveCount ?? "1"),
              remainingMs: context.getRemainingTimeInMillis() - COMMIT_MARGIN_MS,
            });
          } catch (err) {
            logger.error("job failed; it and the rest of its group are retried", err as Error);
            failedGroups.add(group);
            failures.push({ itemIdentifier: record.messageId });
          }
        }
      }),
    );
    return { batchItemFailures: failures };
  },
);
