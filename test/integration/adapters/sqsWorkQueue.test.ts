import { DeleteMessageBatchCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { awsCalls } from "../../../shared/adapters/aws/callCounter.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { SqsWorkQueue } from "../../../shared/adapters/aws/SqsWorkQueue.js";
import type { Job } from "../../../shared/domain/schemas.js";
import { jobId } from "../../../shared/domain/schemas.js";
import { QUEUES } from "../../../shared/resources.js";
import { randomSuffix, receiveMessages, testResources } from "../../helpers/index.js";

const clients = createAwsClients();
let queueUrl: string;
let queue: SqsWorkQueue;

const job = (runId: string, partition: string, stepId = "step", version = 0): Job => ({
  runId,
  fnSlug: "app-fn",
  stepId,
  attempt: 0,
  version,
  partition,
});

beforeAll(async () => {
  const env = await testResources("work-queue");
  queueUrl = env[QUEUES.work.env] ?? "";
  queue = new SqsWorkQueue(clients.sqs, queueUrl);
});

async function visibleCount(): Promise<number> {
  const res = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(res.Attributes?.ApproximateNumberOfMessages ?? "0");
}

describe("SqsWorkQueue", () => {
  it("sends each job with its partition as message group and its job id as deduplication id", async () => {
    const run = `run-${randomSuffix()}`;
    const jobs = Array.from({ length: 12 }, (_, i) => job(`${run}-${i}`, `p-${run}-${i}`));
    awsCalls.reset();

    await queue.send(jobs);

    expect(awsCalls.snapshot()["SQS.SendMessageBatch"]).toBe(2); // 12 jobs = batches of 10 and 2
    const messages = await receiveMessages(clients.sqs, queueUrl, 12);
    const byId = new Map(messages.map((m) => [m.Attributes?.MessageDeduplicationId, m]));
    for (const j of jobs) {
      const m = byId.get(jobId(j));
      expect(m?.Attributes?.MessageGroupId).toBe(j.partition);
      expect(JSON.parse(m?.Body ?? "null")).toEqual(j);
    }
  });

  it("keeps one message when the same job is sent twice", async () => {
    const run = `dup-${randomSuffix()}`;
    const before = await visibleCount();

    await queue.send([job(run, run)]);
    await queue.send([job(run, run)]);

    expect(await visibleCount()).toBe(before + 1);
  });

  it("keeps the order of a partition's jobs across batches", async () => {
    const run = `ord-${randomSuffix()}`;
    const jobs = Array.from({ length: 15 }, (_, i) => job(run, run, `s${i}`, i));

    await queue.send(jobs);

    // One group delivers one batch at a time; collect them in delivery order.
    const seen: string[] = [];
    while (seen.length < 15) {
      const batch = (await receiveMessages(clients.sqs, queueUrl, 1)).filter(
        (m) => m.Attributes?.MessageGroupId === run,
      );
      seen.push(...batch.map((m) => (JSON.parse(m.Body ?? "{}") as Job).stepId));
      const entries = batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
      if (entries.length > 0) {
        await clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      }
    }
    expect(seen).toEqual(jobs.map((j) => j.stepId));
  });
});
