/**
 * Emulated SQS event-source mapping: concurrent pollers receive batches, invoke the handler
 * in-process with an SQSEvent shaped like Lambda's, and delete what succeeded. Failed records
 * (batchItemFailures) and whole batches whose handler threw stay in the queue until their
 * visibility timeout ends, then come back with a higher receive count, as on AWS.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import { sleep } from "./abortableSleep.js";
import { lambdaContext } from "./lambdaContext.js";
import { consoleLogger, type Logger } from "./log.js";

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  functionName: string;
  timeoutMs: number;
  /** Concurrent pollers (Lambda scales a FIFO mapping with the active message groups). */
  concurrency?: number;
  batchSize?: number;
  /** Pause of the idle scout between short polls (default 50 ms). */
  idleMs?: number;
  region?: string;
  log?: Logger;
}

export interface Poller {
  stop(): Promise<void>;
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
 * does a failure report naming a message that is not in the batch (an invalid response).
 */
export function successfulIds(records: SQSRecord[], result: SQSBatchResponse | undefined): string[] {
  const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  const ids = new Set(records.map((r) => r.messageId));
  for (const id of failed) if (!ids.has(id)) return [];
  return records.filter((r) => !failed.has(r.messageId)).map((r) => r.messageId);
}

export function startSqsPoller(opts: SqsPollerOptions): Poller {
  const log = opts.log ?? consoleLogger();
  const region = opts.region ?? process.env.AWS_REGION ?? "us-east-1";
  const idleMs = opts.idleMs ?? 50;
  const abort = new AbortController();

  async function invoke(messages: Message[]): Promise<void> {
    const records = messages.map((m) => toSqsRecord(m, opts.queueArn, region));
    const event: SQSEvent = { Records: records };
    let result: SQSBatchResponse | undefined;
    try {
      result = await opts.handler(event, lambdaContext(opts.functionName, opts.timeoutMs, region));
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

  // While the queue is empty only one poller (the scout) keeps polling; the others park until it
  // finds messages. This keeps an idle runtime light on moto without slowing a busy one down.
  let scout = false;
  const parked: (() => void)[] = [];
  const wakeAll = () => {
    for (const wake of parked.splice(0)) wake();
  };
  abort.signal.addEventListener("abort", wakeAll, { once: true });

  async function idle(): Promise<void> {
    if (scout) {
      await new Promise<void>((resolve) => parked.push(resolve));
      return;
    }
    scout = true;
    await sleep(idleMs, abort.signal);
    scout = false;
  }

  // Receives from this mapping's pollers go one at a time. moto's ReceiveMessage takes no lock:
  // two concurrent calls can both pass the visibility check of the same message and both deliver
  // it (measured: 1 duplicate in 1,001 receipts with 4 concurrent short polls), which AWS never
  // does within the visibility timeout. Invocations still overlap; only the receive calls queue.
  // Short polls only: moto's long poll snapshots the in-flight FIFO groups when it starts (so it
  // can hand out a group's next message while the previous one is in flight), and under this
  // lock it would hold every other poller for its whole wait.
  let receiving: Promise<unknown> = Promise.resolve();
  function receive(): Promise<ReceiveMessageCommandOutput> {
    const next = receiving.then(() =>
      opts.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: opts.queueUrl,
          MaxNumberOfMessages: opts.batchSize ?? 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      ),
    );
    receiving = next.catch(() => undefined);
    return next;
  }

  async function loop(): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        const res = await receive();
        const messages = res.Messages ?? [];
        if (messages.length === 0) {
          await idle();
          continue;
        }
        wakeAll();
        await invoke(messages);
      } catch (err) {
        if (abort.signal.aborted) return;
        log.warn(`${opts.functionName} poller: ${opts.queueUrl}`, err);
        await sleep(1000, abort.signal);
      }
    }
  }

  const loops = Array.from({ length: opts.concurrency ?? 4 }, () => loop());
  return {
    // In-flight invocations finish (and delete their successes) before stop resolves.
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}
