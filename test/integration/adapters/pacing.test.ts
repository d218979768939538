import {
  CreateQueueCommand,
  DeleteQueueCommand,
  PurgeQueueCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paceByQueue } from "../../../infra/local/pacing.js";
import { createAwsClients } from "../../../shared/adapters/aws/clients.js";
import { randomSuffix } from "../../helpers/index.js";

const { sqs } = createAwsClients();
let url: string;

beforeAll(async () => {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `t-pace-${randomSuffix()}` }));
  url = created.QueueUrl ?? "";
  for (let i = 0; i < 3; i++)
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: String(i) }));
});

afterAll(async () => {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
});

describe("pacing the local stream by the work queue's depth", () => {
  it("goes on at once with one message fewer than the backlog", async () => {
    await paceByQueue(sqs, url, new AbortController().signal, 4);
  });

  it("waits with exactly the backlog queued until the queue drains, or until aborted", async () => {
    let done = false;
    const paced = paceByQueue(sqs, url, new AbortController().signal, 3).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    await paced;

    for (let i = 0; i < 3; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: String(i) }));
    const abort = new AbortController();
    const aborted = paceByQueue(sqs, url, abort.signal, 3);
    abort.abort();
    await aborted;
  });
});
