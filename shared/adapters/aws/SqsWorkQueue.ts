import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { jobId } from "../../core/messages.js";
import type { Job } from "../../core/types.js";
import type { WorkQueue } from "../../ports/index.js";

export interface SqsWorkQueueOptions {
  /** Attempts per batch entry that SQS reports in `Failed` (throttling, internal errors). */
  maxAttempts?: number;
  /** First backoff between attempts; doubles each time. */
  backoffMs?: number;
}

const BATCH_LIMIT = 10;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The FIFO work queue. MessageGroupId = job.partition (the unit of ordering and fairness),
 * MessageDeduplicationId = jobId(job), so re-sending a job (a retried transition, a redelivered
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
    let pending: SendMessageBatchRequestEntry[] = jobs.map((job, i) => ({
      Id: String(i),
      MessageBody: JSON.stringify(job),
      MessageGroupId: job.partition,
      MessageDeduplicationId: jobId(job),
    }));
    for (let attempt = 1; ; attempt++) {
      const res = await this.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
      );
      const failed = res.Failed ?? [];
      if (failed.length === 0) return;
      // A sender fault (bad entry) will fail the same way again: stop at once.
      const fatal = failed.filter((f) => f.SenderFault);
      if (fatal.length > 0 || attempt >= this.maxAttempts) {
        const detail = failed.map((f) => `${f.Id}: ${f.Code} ${f.Message ?? ""}`.trim()).join("; ");
        throw new Error(
          `SQS SendMessageBatch failed for ${failed.length} job(s) after ${attempt} attempt(s): ${detail}`,
        );
      }
      const ids = new Set(failed.map((f) => f.Id));
      pending = pending.filter((e) => ids.has(e.Id));
      await sleep(this.backoffMs * 2 ** (attempt - 1));
    }
  }
}
