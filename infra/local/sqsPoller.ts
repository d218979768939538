/**
 * Emulated SQS event-source mapping: it receives messages, invokes the handler in-process with
 * SQSEvents shaped like Lambda's (`batchSize` records each, up to `maxConcurrency` invocations at
 * once), and deletes what succeeded. Failed records (batchItemFailures) and whole batches whose
 * handler threw stay in the queue until their visibility timeout ends, then come back with a
 * higher receive count, as on AWS. Messages of one FIFO group are never handed to two
 * invocations at once: a slow invocation holds back only its own group.
 * An empty receive pauses `idleMs`, cut short when this process sends to the queue (sendNotifier)
 * or an invocation ends; the pause stays the fallback for messages that become visible later
 * (delays, visibility timeouts) and for senders outside the process.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import { onSent, sameQueue } from "../../shared/adapters/aws/sendNotifier.js";
import { sleep, wakeablePause } from "./abortableSleep.js";
import { reportedFailures } from "./batchResponse.js";
import { InFlight } from "./inFlight.js";
import { lambdaContext } from "./lambdaContext.js";
import { consoleLogger, type Logger } from "./log.js";

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** The result is read as Lambda reads a partial batch response. */
  handler: (event: SQSEvent, context: Context) => Promise<unknown>;
  functionName: string;
  timeoutMs: number;
  /** Records per invocation (the mapping's BatchSize). Default 10. */
  batchSize?: number;
  /** Invocations at once (Lambda scales a mapping's concurrency up to its limit). Default 4. */
  maxConcurrency?: number;
  /**
   * Pause between short polls of an empty queue (default 50 ms). A send to this queue from this
   * process (through the clients of shared/adapters/aws) ends the pause at once.
   */
  idleMs?: number;
  /** When the runtime stops, if it is stopping (see lambdaContext). */
  stoppingAt?: () => number | undefined;
  region?: string;
  log?: Logger;
}

export interface Poller {
  /**
   * Stops polling and waits for in-flight invocations, at most `graceMs` (default: as long as they
   * take). Invocations still running then are abandoned: their messages stay in flight and return
   * after the visibility timeout, exactly as when a Lambda is cut off.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
}

function toMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, a] of Object.entries(attrs ?? {})) {
    out[name] = {
      dataType: a.DataType ?? "String",
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: Buffer.from(a.BinaryValue).toString("base64") } : {}),
      stringListValues: a.StringListValues ?? [],
      binaryListValues: (a.BinaryListValues ?? []).map((b) => Buffer.from(b).toString("base64")),
    };
  }
  return out;
}

/** One received message as Lambda's SQS mapping presents it. */
export function toSqsRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: {
      ...a,
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? "000000000000",
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: toMessageAttributes(m.MessageAttributes),
    md5OfBody: m.MD5OfBody ?? "",
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Ids to delete after an invocation. Like Lambda: a thrown error keeps the whole batch, and so
 * does a response it cannot read or a failure report naming a message that is not in the batch.
 */
export function successfulIds(records: SQSRecord[], result: unknown): string[] {
  const failed = reportedFailures(result);
  if (!failed) return [];
  const ids = new Set(records.map((r) => r.messageId));
  for (const id of failed) if (!ids.has(id)) return [];
  const failedSet = new Set(failed);
  return records.filter((r) => !failedSet.has(r.messageId)).map((r) => r.messageId);
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Splits one receive into invocation batches of `batchSize` (in receive order, groups mixed, as
 * Lambda fills a batch) and those into lanes: batches that share a FIFO group go into one lane,
 * run one after the other in receive order, so a group is never in two invocations at once.
 * Lanes run side by side.
 */
export function lanes(messages: Message[], batchSize: number): Message[][][] {
  const batches = chunk(messages, batchSize);
  /** Lane id of each batch; batches sharing a group are merged into the lowest id. */
  const laneOf = batches.map((_, i) => i);
  const find = (i: number): number => (laneOf[i] === i ? i : find(laneOf[i] ?? i));
  const firstBatchOfGroup = new Map<string, number>();
  batches.forEach((batch, i) => {
    for (const m of batch) {
      const group = m.Attributes?.MessageGroupId;
      if (group === undefined) continue;
      const seen = firstBatchOfGroup.get(group);
      if (seen === undefined) firstBatchOfGroup.set(group, i);
      else {
        const [a, b] = [find(seen), find(i)].sort((x, y) => x - y);
        if (a !== undefined && b !== undefined) laneOf[b] = a;
      }
    }
  });
  const out = new Map<number, Message[][]>();
  batches.forEach((batch, i) => {
    const lane = find(i);
    out.set(lane, [...(out.get(lane) ?? []), batch]);
  });
  return [...out.values()];
}

/** One invocation of the handler with a batch, then the delete of what succeeded, as Lambda does. */
async function invoke(
  opts: SqsPollerOptions,
  region: string,
  log: Logger,
  messages: Message[],
): Promise<void> {
  const records = messages.map((m) => toSqsRecord(m, opts.queueArn, region));
  const event: SQSEvent = { Records: records };
  let result: unknown;
  try {
    result = await opts.handler(
      event,
      lambdaContext(opts.functionName, opts.timeoutMs, region, opts.stoppingAt),
    );
  } catch (err) {
    log.warn(
      `${opts.functionName} threw; its ${records.length} message(s) return after the visibility timeout`,
      err,
    );
    return;
  }
  const ok = new Set(successfulIds(records, result));
  const entries = records
    .filter((r) => ok.has(r.messageId))
    .map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle }));
  if (entries.length === 0) return;
  const res = await opts.sqs.send(
    new DeleteMessageBatchCommand({ QueueUrl: opts.queueUrl, Entries: entries }),
  );
  for (const f of res.Failed ?? [])
    log.warn(`${opts.functionName}: delete failed (${f.Code}: ${f.Message ?? ""})`);
}

export function startSqsPoller(opts: SqsPollerOptions): Poller {
  const log = opts.log ?? consoleLogger();
  const region = opts.region ?? process.env.AWS_REGION ?? "us-east-1";
  const batchSize = opts.batchSize ?? 10;
  const abort = new AbortController();
  // An invocation that ends (and deleted its messages) may have unblocked its FIFO group: the
  // receiver then polls at once instead of finishing its idle pause, as Lambda's poller would.
  const idle = wakeablePause(opts.idleMs ?? 50, abort.signal);
  const inFlight = new InFlight(opts.maxConcurrency ?? 4, idle.wake);
  // A message this process just sent is read now, not after the pause. Still one receiver: the
  // wake only ends its pause (or makes its next pause return at once).
  const unsubscribe = onSent((sent) => {
    if (sent.service === "SQS" && sameQueue(sent.queueUrl, opts.queueUrl)) idle.wake();
  });

  /** A lane's batches run one after the other (one FIFO group's order); lanes run side by side. */
  const startLane = (batches: Message[][]) =>
    inFlight.run(
      async () => {
        for (const batch of batches) await invoke(opts, region, log, batch);
      },
      (err) => log.warn(`${opts.functionName} invocation`, err),
    );

  // One receiver per mapping, so receives never overlap. moto's ReceiveMessage takes no lock: two
  // concurrent calls can both pass the visibility check of the same message and both deliver it
  // (measured: 1 duplicate in 1,001 receipts with 4 concurrent short polls), which AWS never does
  // within the visibility timeout. Short polls only: moto's long poll snapshots the in-flight FIFO
  // groups when it starts, so it can hand out a group's next message while the previous one is in
  // flight.
  const receiver = (async () => {
    while (!abort.signal.aborted) {
      try {
        await inFlight.waitForRoom(abort.signal);
        if (abort.signal.aborted) break;
        const res = await opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: Math.min(10, inFlight.room() * batchSize),
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        );
        const messages = res.Messages ?? [];
        if (messages.length === 0) await idle.pause();
        else for (const lane of lanes(messages, batchSize)) startLane(lane);
      } catch (err) {
        if (abort.signal.aborted) return;
        log.warn(`${opts.functionName} poller: ${opts.queueUrl}`, err);
        await sleep(1000, abort.signal);
      }
    }
  })();

  return {
    async stop(stopOpts = {}) {
      unsubscribe();
      abort.abort();
      await receiver;
      if (!(await inFlight.settle(stopOpts.graceMs))) {
        log.warn(
          `${opts.functionName}: ${inFlight.size} invocation(s) still running after ${stopOpts.graceMs} ms; ` +
            "their messages return after the visibility timeout",
        );
      }
    },
  };
}
