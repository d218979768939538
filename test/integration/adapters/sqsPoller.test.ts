import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../infra/local/log.js";
import { type Poller, startSqsPoller } from "../../../infra/local/sqsPoller.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { sentListenerCount } from "../../../shared/adapters/aws/sendNotifier.js";
import { randomSuffix, waitFor } from "../../helpers/index.js";

const { sqs } = createAwsClients();
const cleanup: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A queue of this test's own, with a short visibility timeout so failures come back quickly. */
async function queue(fifo: boolean, visibilitySeconds = 1): Promise<{ url: string; arn: string }> {
  const name = `t-poller-${randomSuffix()}${fifo ? ".fifo" : ""}`;
  const attributes: Record<string, string> = { VisibilityTimeout: String(visibilitySeconds) };
  if (fifo)
    Object.assign(attributes, {
      FifoQueue: "true",
      DeduplicationScope: "messageGroup",
      FifoThroughputLimit: "perMessageGroupId",
    });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = QueueUrl ?? "";
  cleanup.push(() => sqs.send(new DeleteQueueCommand({ QueueUrl: url })));
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
  );
  return { url, arn: attrs.Attributes?.QueueArn ?? "" };
}

async function messagesLeft(url: string): Promise<number> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

function poll(
  q: { url: string; arn: string },
  handler: (e: SQSEvent) => Promise<SQSBatchResponse | undefined>,
  concurrency = 4,
  opts: { batchSize?: number; stopAfterTest?: boolean; idleMs?: number; sqs?: typeof sqs } = {},
): Poller {
  const poller = startSqsPoller({
    sqs: opts.sqs ?? sqs,
    queueUrl: q.url,
    queueArn: q.arn,
    handler,
    functionName: "executor",
    timeoutMs: 60_000,
    maxConcurrency: concurrency,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.idleMs ? { idleMs: opts.idleMs } : {}),
    log: silentLogger,
  });
  if (opts.stopAfterTest ?? true) cleanup.push(() => poller.stop());
  return poller;
}

/**
 * A client of its own for a poller, counting the receives that came back empty: once one has, the
 * poller is in (or entering) its idle pause.
 */
function receiverClient(): { sqs: typeof sqs; emptyReceives: () => number } {
  const own = createAwsClients().sqs;
  let empty = 0;
  own.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const output = result.output as { Messages?: unknown[] };
      if (context.commandName === "ReceiveMessageCommand" && !output.Messages?.length) empty++;
      return result;
    },
    { step: "initialize", name: "testEmptyReceives" },
  );
  return { sqs: own, emptyReceives: () => empty };
}

describe("SQS event-source emulation", () => {
  it("delivers records shaped like Lambda's, with FIFO system attributes", async () => {
    const q = await queue(true);
    const seen: SQSRecord[] = [];
    poll(q, async (e) => {
      seen.push(...e.Records);
      return { batchItemFailures: [] };
    });

    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.url,
        MessageBody: '{"a":1}',
        MessageGroupId: "g1",
        MessageDeduplicationId: "d1",
        MessageAttributes: { kind: { DataType: "String", StringValue: "job" } },
      }),
    );

    const [r] = await waitFor(() => (seen.length > 0 ? seen : undefined));
    expect(r).toMatchObject({
      body: '{"a":1}',
      eventSource: "aws:sqs",
      eventSourceARN: q.arn,
      awsRegion: process.env.AWS_REGION,
      attributes: { MessageGroupId: "g1", MessageDeduplicationId: "d1", ApproximateReceiveCount: "1" },
      messageAttributes: { kind: { dataType: "String", stringValue: "job" } },
    });
    expect(r?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(r?.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(r?.receiptHandle).toBeTruthy();
  });

  it("deletes the successful records and redelivers a reported failure after its visibility timeout", async () => {
    const q = await queue(true);
    const received: { group: string; count: string }[] = [];
    let failB = true;
    poll(q, async (e) => {
      const failures = [];
      for (const r of e.Records) {
        const group = r.attributes.MessageGroupId ?? "";
        received.push({ group, count: r.attributes.ApproximateReceiveCount });
        if (group === "b" && failB) failures.push({ itemIdentifier: r.messageId });
      }
      return { batchItemFailures: failures };
    });

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: ["a", "b", "c"].map((g) => ({
          Id: g,
          MessageBody: g,
          MessageGroupId: g,
          MessageDeduplicationId: g,
        })),
      }),
    );

    await waitFor(() => received.some((r) => r.group === "b" && r.count === "2"), { timeoutMs: 10_000 });
    expect(received.filter((r) => r.group === "a")).toEqual([{ group: "a", count: "1" }]);
    expect(received.filter((r) => r.group === "c")).toEqual([{ group: "c", count: "1" }]);
    failB = false;
    await waitFor(async () => (await messagesLeft(q.url)) === 0, { timeoutMs: 10_000 });
  });

  it("deletes nothing of a batch whose handler threw", async () => {
    const q = await queue(false);
    const counts: string[][] = [];
    poll(
      q,
      async (e) => {
        counts.push(e.Records.map((r) => r.attributes.ApproximateReceiveCount));
        if (counts.length === 1) throw new Error("handler crashed");
        return undefined;
      },
      1,
    );

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: [
          { Id: "1", MessageBody: "one" },
          { Id: "2", MessageBody: "two" },
        ],
      }),
    );

    await waitFor(async () => (await messagesLeft(q.url)) === 0, { timeoutMs: 10_000 });
    expect(counts).toEqual([
      ["1", "1"],
      ["2", "2"],
    ]);
  });

  it("hands each message to exactly one of its concurrent pollers", async () => {
    // A 60 s visibility timeout: any second delivery here would be a duplicate, not a redelivery.
    const q = await queue(true, 60);
    const deliveries = new Map<string, number>();
    poll(
      q,
      async (e) => {
        for (const r of e.Records) deliveries.set(r.body, (deliveries.get(r.body) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { batchItemFailures: [] };
      },
      6,
    );

    const total = 400;
    for (let b = 0; b < total / 10; b++) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: q.url,
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: String(i),
            MessageBody: `m-${b}-${i}`,
            MessageGroupId: `g-${b}-${i}`,
            MessageDeduplicationId: `d-${b}-${i}`,
          })),
        }),
      );
    }

    await waitFor(async () => (await messagesLeft(q.url)) === 0, { timeoutMs: 30_000 });
    expect(deliveries.size).toBe(total);
    expect([...deliveries.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  });

  it("holds back only a slow invocation's own group while other groups go on", async () => {
    const q = await queue(true, 60);
    const handled: string[] = [];
    let release: () => void = () => {};
    const slowDone = new Promise<void>((resolve) => {
      release = resolve;
    });
    poll(
      q,
      async (e) => {
        for (const r of e.Records) {
          if (r.body === "slow-1") await slowDone;
          handled.push(r.body);
        }
        return { batchItemFailures: [] };
      },
      4,
      { batchSize: 1 },
    );
    const send = (body: string, group: string) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: q.url,
          MessageBody: body,
          MessageGroupId: group,
          MessageDeduplicationId: body,
        }),
      );
    await send("slow-1", "slow");
    await send("slow-2", "slow");
    for (let i = 0; i < 5; i++) await send(`other-${i}`, `g${i}`);

    await waitFor(() => handled.filter((b) => b.startsWith("other-")).length === 5, { timeoutMs: 10_000 });
    expect(handled).not.toContain("slow-2");
    release();
    await waitFor(() => handled.includes("slow-2"), { timeoutMs: 10_000 });
    expect(handled.indexOf("slow-1")).toBeLessThan(handled.indexOf("slow-2"));
  });

  it("never runs more invocations at once than its maximum concurrency", async () => {
    const q = await queue(true, 60);
    let running = 0;
    let most = 0;
    let done = 0;
    poll(
      q,
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 40));
        running--;
        done++;
        return { batchItemFailures: [] };
      },
      3,
      { batchSize: 1 },
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: Array.from({ length: 10 }, (_, i) => ({
          Id: String(i),
          MessageBody: `m${i}`,
          MessageGroupId: `g${i}`,
          MessageDeduplicationId: `d${i}`,
        })),
      }),
    );
    await waitFor(() => done === 10, { timeoutMs: 10_000 });
    expect(most).toBe(3);
  });

  it("stops within its grace period while an invocation hangs", async () => {
    const q = await queue(true, 60);
    let started = false;
    // Stopped by the test itself: a later stop without a grace period would wait for it forever.
    const poller = poll(
      q,
      () => {
        started = true;
        return new Promise(() => {}); // never answers
      },
      4,
      { batchSize: 1, stopAfterTest: false },
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.url,
        MessageBody: "x",
        MessageGroupId: "g",
        MessageDeduplicationId: "x",
      }),
    );
    await waitFor(() => started, { timeoutMs: 10_000 });
    const before = Date.now();
    await poller.stop({ graceMs: 300 });
    expect(Date.now() - before).toBeLessThan(2000);
  });

  describe("woken by this process's sends", () => {
    // A 5 s idle pause: without the wake, a message sent while the poller idles waits it out.
    const IDLE_MS = 5000;

    it.each([
      ["SendMessage", false],
      ["SendMessageBatch", true],
    ])("reads a message sent with %s at once instead of after the idle pause", async (_, batch) => {
      const q = await queue(true, 60);
      const receiver = receiverClient();
      const handledAt: number[] = [];
      poll(
        q,
        async (e) => {
          for (const _r of e.Records) handledAt.push(Date.now());
          return { batchItemFailures: [] };
        },
        4,
        { idleMs: IDLE_MS, sqs: receiver.sqs },
      );
      await waitFor(() => receiver.emptyReceives() >= 1);

      const sentAt = Date.now();
      const entry = { MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "x" };
      if (batch)
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: [{ Id: "1", ...entry }] }));
      else await sqs.send(new SendMessageCommand({ QueueUrl: q.url, ...entry }));

      await waitFor(() => handledAt.length === 1, { timeoutMs: 3000, intervalMs: 10 });
      expect((handledAt[0] ?? Number.POSITIVE_INFINITY) - sentAt).toBeLessThan(500);
    });

    it("is not woken by a send to another queue", async () => {
      const q = await queue(false);
      const other = await queue(false);
      const receiver = receiverClient();
      poll(q, async () => ({ batchItemFailures: [] }), 4, { idleMs: 400, sqs: receiver.sqs });
      await waitFor(() => receiver.emptyReceives() >= 1);
      const before = receiver.emptyReceives();
      await sqs.send(new SendMessageCommand({ QueueUrl: other.url, MessageBody: "x" }));
      await new Promise((r) => setTimeout(r, 200));
      // Still in the pause that began before the send.
      expect(receiver.emptyReceives()).toBe(before);
    });

    it("still finds a delayed message after its delay (the idle pause is the fallback)", async () => {
      const q = await queue(false);
      const handledAt: number[] = [];
      poll(
        q,
        async (e) => {
          for (const _r of e.Records) handledAt.push(Date.now());
          return { batchItemFailures: [] };
        },
        4,
        { idleMs: 200 },
      );
      const sentAt = Date.now();
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: "later", DelaySeconds: 1 }));
      await waitFor(() => handledAt.length === 1, { timeoutMs: 5000, intervalMs: 10 });
      expect((handledAt[0] ?? 0) - sentAt).toBeGreaterThanOrEqual(900);
    });

    it("stops listening when it stops", async () => {
      const q = await queue(false);
      const before = sentListenerCount();
      const poller = poll(q, async () => ({ batchItemFailures: [] }), 4, { stopAfterTest: false });
      expect(sentListenerCount()).toBe(before + 1);
      await poller.stop();
      expect(sentListenerCount()).toBe(before);
    });
  });
});
