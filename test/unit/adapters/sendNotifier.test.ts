import { SQSClient } from "@aws-sdk/client-sqs";
import type { HandlerExecutionContext, InitializeHandlerArguments } from "@smithy/types";
import { afterEach, describe, expect, it } from "vitest";
import {
  noticeOf,
  notifyOnSend,
  onSent,
  type SentNotice,
  sameQueue,
  sentListenerCount,
  sentNotifierMiddleware,
  streamNameOf,
} from "../../../shared/adapters/aws/sendNotifier.js";

const URL_A = "http://localhost:5000/000000000000/work.fifo";

const unsubscribes: (() => void)[] = [];
afterEach(() => {
  for (const u of unsubscribes.splice(0)) u();
});

function listen(): SentNotice[] {
  const seen: SentNotice[] = [];
  unsubscribes.push(onSent((n) => seen.push(n)));
  return seen;
}

/** Runs the middleware around a fake transport that answers `output` (or throws `error`). */
async function through(
  commandName: string,
  input: object,
  output: object,
  error?: Error,
): Promise<{ reachedTransport: boolean }> {
  let reachedTransport = false;
  const handler = sentNotifierMiddleware<object, { $metadata: object }>()(
    async () => {
      reachedTransport = true;
      if (error) throw error;
      return { output: { $metadata: {}, ...output }, response: {} };
    },
    { commandName } as HandlerExecutionContext,
  );
  await handler({ input } as InitializeHandlerArguments<object>);
  return { reachedTransport };
}

describe("noticeOf", () => {
  it("announces a SendMessage without a delay, and not one with a delay", () => {
    expect(noticeOf("SendMessageCommand", { QueueUrl: URL_A }, {})).toEqual({
      service: "SQS",
      queueUrl: URL_A,
    });
    expect(noticeOf("SendMessageCommand", { QueueUrl: URL_A, DelaySeconds: 0 }, {})).toBeDefined();
    expect(noticeOf("SendMessageCommand", { QueueUrl: URL_A, DelaySeconds: 5 }, {})).toBeUndefined();
  });

  it("announces a SendMessageBatch when an undelayed entry succeeded", () => {
    const input = {
      QueueUrl: URL_A,
      Entries: [
        { Id: "a", MessageBody: "x", DelaySeconds: 30 },
        { Id: "b", MessageBody: "y" },
      ],
    };
    expect(noticeOf("SendMessageBatchCommand", input, { Successful: [{ Id: "a" }, { Id: "b" }] })).toEqual({
      service: "SQS",
      queueUrl: URL_A,
    });
    // Only the delayed entry went through: nothing is readable yet.
    expect(
      noticeOf("SendMessageBatchCommand", input, { Successful: [{ Id: "a" }], Failed: [{ Id: "b" }] }),
    ).toBeUndefined();
    expect(noticeOf("SendMessageBatchCommand", input, { Successful: [] })).toBeUndefined();
  });

  it("announces Kinesis puts by stream name (from the name or the ARN) unless every record failed", () => {
    const records = [{ Data: new Uint8Array(), PartitionKey: "k" }];
    expect(noticeOf("PutRecordCommand", { StreamName: "events" }, {})).toEqual({
      service: "Kinesis",
      streamName: "events",
    });
    expect(
      noticeOf(
        "PutRecordsCommand",
        { StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/events", Records: records },
        { FailedRecordCount: 0 },
      ),
    ).toEqual({ service: "Kinesis", streamName: "events" });
    expect(
      noticeOf("PutRecordsCommand", { StreamName: "events", Records: records }, { FailedRecordCount: 1 }),
    ).toBeUndefined();
    // One of two records went in: the stream has something to read.
    expect(
      noticeOf(
        "PutRecordsCommand",
        { StreamName: "events", Records: [...records, ...records] },
        { FailedRecordCount: 1 },
      ),
    ).toEqual({ service: "Kinesis", streamName: "events" });
  });

  it("ignores every other operation", () => {
    expect(noticeOf("ReceiveMessageCommand", { QueueUrl: URL_A }, {})).toBeUndefined();
    expect(noticeOf("DeleteMessageBatchCommand", { QueueUrl: URL_A }, {})).toBeUndefined();
    expect(noticeOf("GetRecordsCommand", { StreamName: "events" }, {})).toBeUndefined();
  });
});

describe("sameQueue and streamNameOf", () => {
  it("matches queue URLs by account and name, whatever the host or URL style", () => {
    expect(sameQueue(URL_A, "http://127.0.0.1:5000/000000000000/work.fifo")).toBe(true);
    expect(sameQueue(URL_A, "http://localhost:4566/queue/us-east-1/000000000000/work.fifo")).toBe(true);
    expect(sameQueue(URL_A, "http://localhost:5000/000000000000/timers")).toBe(false);
    expect(sameQueue(URL_A, "http://localhost:5000/111111111111/work.fifo")).toBe(false);
  });

  it("reads a stream's name from its ARN", () => {
    expect(streamNameOf({ StreamARN: "arn:aws:kinesis:eu-west-1:1:stream/a-b" })).toBe("a-b");
    expect(streamNameOf({ StreamName: "x", StreamARN: "arn:aws:kinesis:eu-west-1:1:stream/y" })).toBe("x");
    expect(streamNameOf({})).toBeUndefined();
  });
});

describe("the notifier middleware", () => {
  it("tells every listener after a successful send", async () => {
    const one = listen();
    const two = listen();
    await through("SendMessageCommand", { QueueUrl: URL_A }, { MessageId: "m" });
    expect(one).toEqual([{ service: "SQS", queueUrl: URL_A }]);
    expect(two).toEqual(one);
  });

  it("tells nobody when the send fails", async () => {
    const seen = listen();
    await expect(
      through("SendMessageCommand", { QueueUrl: URL_A }, {}, new Error("throttled")),
    ).rejects.toThrow("throttled");
    expect(seen).toEqual([]);
  });

  it("keeps the send's result when a listener throws", async () => {
    unsubscribes.push(
      onSent(() => {
        throw new Error("listener bug");
      }),
    );
    const after = listen();
    await expect(through("SendMessageCommand", { QueueUrl: URL_A }, {})).resolves.toEqual({
      reachedTransport: true,
    });
    expect(after).toHaveLength(1);
  });

  it("stops telling a listener once it unsubscribed", async () => {
    const before = sentListenerCount();
    const seen: SentNotice[] = [];
    const unsubscribe = onSent((n) => seen.push(n));
    expect(sentListenerCount()).toBe(before + 1);
    unsubscribe();
    expect(sentListenerCount()).toBe(before);
    await through("SendMessageCommand", { QueueUrl: URL_A }, {});
    expect(seen).toEqual([]);
  });

  it("is added once per client however often it is added", () => {
    const client = notifyOnSend(notifyOnSend(new SQSClient({ region: "us-east-1" })));
    const names = client.middlewareStack.identify().filter((n) => n.startsWith("tidelineSentNotifier"));
    expect(names).toHaveLength(1);
  });
});
