import { type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { waitFor } from "./waitFor.js";

/**
 * Receives until `count` messages have arrived (or the deadline passes), with every system
 * attribute. Received messages stay in flight: FIFO groups stay blocked until they are deleted.
 */
export async function receiveMessages(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  timeoutMs = 10_000,
): Promise<Message[]> {
  const got: Message[] = [];
  await waitFor(
    async () => {
      const res = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      );
      got.push(...(res.Messages ?? []));
      return got.length >= count;
    },
    { timeoutMs, intervalMs: 50, what: `${count} message(s) on ${queueUrl}` },
  );
  return got;
}
