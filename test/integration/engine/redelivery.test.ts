import { DeleteMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClients } from "../../../shared/adapters/aws/clients.js";
import { type ExecutorDeps, executeJob } from "../../../shared/core/engine/executeJob.js";
import { handleEvents, type RunnerDeps } from "../../../shared/core/runner/pipeline.js";
import type { AcceptedEvent, FunctionRecord, Job } from "../../../shared/domain/schemas.js";
import { jobSchema } from "../../../shared/domain/schemas.js";
import { QUEUES } from "../../../shared/resources.js";
import { type SdkApp, startSdkApp } from "../../e2e/sdkApp.js";
import { randomSuffix, receiveMessages, testResources } from "../../helpers/index.js";

/**
 * At-least-once delivery against the real stores and queues (emulator) and a real SDK app:
 * duplicated stream records, duplicated jobs and a crash between commit and send.
 */
let app: SdkApp;
let runner: RunnerDeps;
let executor: ExecutorDeps;
let workUrl: string;
let fn: FunctionRecord;

beforeAll(async () => {
  const env = await testResources("redelivery");
  workUrl = env[QUEUES.work.env] ?? "";
  const suffix = randomSuffix();
  // Nothing is sent through an Event API here; the SDK only runs functions.
  app = await startSdkApp({ baseUrl: "http://127.0.0.1:9", suffix });
  const wiring = await import("../../../lambdas/wiring.js");
  runner = await wiring.runnerDeps();
  executor = await wiring.executorDeps();
  const slug = `${app.appId}-three-steps`;
  fn = {
    slug,
    appId: app.appId,
    name: "three-steps",
    internalId: "00000000-0000-4000-a000-000000000000",
    triggers: [{ event: app.ev("three") }],
    url: `${app.url}?fnId=${slug}&stepId=step`,
    retries: 4,
    config: {},
    updatedAt: Date.now(),
  };
  await runner.registry.putAppSync(
    {
      appId: app.appId,
      url: app.url,
      sdk: "js",
      functionSlugs: [slug],
      checksum: "x",
      createdAt: 1,
      updatedAt: 1,
    },
    [fn],
  );
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

function accepted(tag: string, id?: string): AcceptedEvent {
  const internalId = `01J${randomSuffix().toUpperCase().padEnd(23, "0").slice(0, 23)}`;
  return {
    internalId,
    receivedAt: Date.now(),
    event: { name: app.ev("three"), data: { tag }, id: id ?? internalId, ts: Date.now(), user: {} },
  };
}

/** Takes the next job off the work queue (and deletes it, as the event-source mapping would). */
async function nextJob(): Promise<Job> {
  const [msg] = await receiveMessages(awsClients().sqs, workUrl, 1);
  if (!msg?.Body || !msg.ReceiptHandle) throw new Error("no message");
  await awsClients().sqs.send(
    new DeleteMessageCommand({ QueueUrl: workUrl, ReceiptHandle: msg.ReceiptHandle }),
  );
  return jobSchema.parse(JSON.parse(msg.Body));
}

const once = { receiveCount: 1, remainingMs: 60_000 };
const redelivered = { receiveCount: 2, remainingMs: 60_000 };

describe("at-least-once delivery", () => {
  it("creates one run when the stream delivers the same record twice", async () => {
    const ev = accepted("dup-record");
    await handleEvents(runner, [ev]);
    await handleEvents(runner, [ev]);
    const runs = await runner.runs.listRunsForEvent(ev.internalId);
    expect(runs).toHaveLength(1);
    expect((await runner.events.getEvent(ev.internalId))?.runIds).toEqual([runs[0]?.runId]);
    // Both deliveries sent the start job with the same dedup id; drain what arrived.
    const job = await nextJob();
    expect(job).toMatchObject({ runId: runs[0]?.runId, version: 0, stepId: "step" });
  });

  it("starts no second run for a second event with the same id and records it as unmatched", async () => {
    const id = `order-${randomSuffix()}`;
    const first = accepted("idem-1", id);
    const second = accepted("idem-2", id);
    await handleEvents(runner, [first, second]);
    expect(await runner.runs.listRunsForEvent(first.internalId)).toHaveLength(1);
    expect(await runner.runs.listRunsForEvent(second.internalId)).toHaveLength(0);
    expect((await runner.events.getEvent(second.internalId))?.runIds).toEqual([]);
    await nextJob();
  });

  it("runs each step once when jobs are duplicated and when the executor crashes after committing", async () => {
    const tag = `crash-${randomSuffix()}`;
    await handleEvents(runner, [accepted(tag)]);
    const start = await nextJob();

    // A job delivered twice: the second copy finds the version moved on and does nothing.
    expect(await executeJob(executor, start, once)).toBe("applied");
    expect(await executeJob(executor, start, once)).toBe("stale");
    expect(app.rec.calls[`one:${tag}`]).toBe(1);

    // Crash between the committed transition and sending its follow-up job.
    const second = await nextJob();
    const crashing: ExecutorDeps = {
      ...executor,
      work: {
        send: async () => {
          throw new Error("injected crash before send");
        },
      },
    };
    await expect(executeJob(crashing, second, once)).rejects.toThrow("injected crash");
    expect(app.rec.calls[`two:${tag}`]).toBe(1);
    // SQS redelivers the job: the executor re-sends the committed follow-up, without re-running.
    expect(await executeJob(executor, second, redelivered)).toBe("redispatched");
    expect(app.rec.calls[`two:${tag}`]).toBe(1);

    for (let i = 0; i < 5; i++) {
      const job = await nextJob();
      expect(await executeJob(executor, job, once)).toBe("applied");
      const run = await executor.runs.getRun(job.runId);
      if (run?.status !== "Running") break;
    }
    const run = await executor.runs.getRun(start.runId);
    expect(run).toMatchObject({ status: "Completed", output: { sum: 6 } });
    expect([app.rec.calls[`one:${tag}`], app.rec.calls[`two:${tag}`], app.rec.calls[`three:${tag}`]]).toEqual(
      [1, 1, 1],
    );
  });
});
