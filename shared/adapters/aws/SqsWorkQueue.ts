import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Job } from "../../domain/schemas.js";
import { jobDedupId } from "../../domain/schemas.js";
import type { WorkQueue } from "../../ports/index.js";
import { retryUnprocessed } from "./retryUnprocessed.js";

export interface SqsWorkQueueOptions {
  /** Attempts per batch entry that SQS reports in `Failed` (throttling, internal errors). */
  maxAttempts?: number;
  /** First backoff between attempts; doubles each time. */
  backoffMs?: number;
}

const BATCH_LIMIT = 10;

/**
 * The FIFO work queue. MessageGroupId = job.partition (the unit of ordering and fairness),
 * MessageDeduplicationId = jobDedupId(job) (the job id), so re-sending a job (a retried transition, a redelivered
 * message) within the dedup window is a no-op.
 */
export class SqsWorkQueue implements WorkQueue {
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    opts: SqsWorkQueueOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 4;
    this.backoffMs = opts.backoffMs ?? 50;
  }

  async send(jobs: Job[]): Promise<void> {
    // Chunks go one after the other: a later job of a group must not overtake an earlier one.
    for (let i = 0; i < jobs.length; i += BATCH_LIMIT) {
      await this.sendBatch(jobs.slice(i, i + BATCH_LIMIT));
    }
  }

  private async sendBatch(jobs: Job[]): Promise<void> {
    let failures: BatchResultErrorEntry[] = [];
    await retryUnprocessed(
      jobs.map((job, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify(job),
        MessageGroupId: job.partition,
        MessageDeduplicationId: jobDedupId(job),
      })),
      async (pending: SendMessageBatchRequestEntry[]) => {
        const res = await this.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
        );
        failures = res.Failed ?? [];
        // A sender fault (bad entry) will fail the same way again: stop at once.
        if (failures.some((f) => f.SenderFault)) {
          throw new Error(`SQS SendMessageBatch refused ${failures.length} job(s): ${describe(failures)}`);
        }
        const ids = new Set(failures.map((f) => f.Id));
        return pending.filter((e) => ids.has(e.Id));
      },
      {
        maxAttempts: this.maxAttempts,
        backoffMs: this.backoffMs,
        what: "SQS SendMessageBatch",
        describe: () => describe(failures),
      },
    );
  }
}

function describe(failures: BatchResultErrorEntry[]): string {
  return failures.map((f) => `${f.Id}: ${f.Code} ${f.Message ?? ""}`.trim()).join("; ");
}
