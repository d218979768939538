import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { sleep } from "./abortableSleep.js";

/**
 * Work messages waiting before the local stream mapping reads on. moto's SQS scans the whole queue
 * on every receive and delete (measured: about 0.6 ms per queued message per call), so a backlog
 * of a thousand start jobs slows every step of every run to a crawl. Pacing the stream keeps the
 * emulated queue short; on AWS a queue's cost does not grow with its depth and nothing paces.
 */
const LOCAL_WORK_BACKLOG = 50;
const RECHECK_MS = 50;

/** Waits until fewer than `backlog` messages are visible in the queue, or `signal` aborts. */
export async function paceByQueue(
  sqs: SQSClient,
  queueUrl: string,
  signal: AbortSignal,
  backlog = LOCAL_WORK_BACKLOG,
): Promise<void> {
  while (!signal.aborted) {
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    if (Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) < backlog) return;
    await sleep(RECHECK_MS, signal);
  }
}
