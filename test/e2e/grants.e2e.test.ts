/**
 * Least privilege, proven against what the code calls. A workload touching every feature drives a
 * real app (official `inngest` SDK) through an in-process `tideline dev`, whose handlers run in
 * their function's call scope (infra/local/handlers.ts), so every AWS call is logged with the
 * function that made it and the resources it named (shared/adapters/aws/callCounter.ts). Each call
 * is then mapped to the IAM permissions it needs with the mapping bind.ts grants from
 * (infra/stack/iamActions.ts) and held to the function's manifest grants (shared/resources.ts):
 * a call the manifest does not grant is a call that fails on AWS (as REST did for large runs when
 * the API could not read S3). The reverse holds too: every grant (each DynamoDB action on each
 * table and index included) is exercised here, or is listed below with the code path that needs it.
 * Calls outside any function's scope (the emulated event-source mappings, bootstrap, the test's
 * own) are not the functions' and are left out.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Inngest, NonRetriableError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallResource,
  describePermission,
  grantedPermissions,
  type Permission,
  permissionsOf,
} from "../../infra/stack/iamActions.js";
import { type AwsCallRecord, type AwsResource, awsCalls } from "../../shared/adapters/aws/callCounter.js";
import { awsClients } from "../../shared/adapters/aws/clients.js";
import { INLINE_LIMIT_BYTES } from "../../shared/adapters/aws/largeJson.js";
import { sameQueue } from "../../shared/adapters/aws/sendNotifier.js";
import type { TimerMessage } from "../../shared/domain/schemas.js";
import {
  BUCKETS,
  type BucketName,
  FUNCTIONS,
  type FunctionName,
  QUEUES,
  type QueueName,
  SCHEDULER,
  STREAMS,
  type StreamName,
  TABLES,
  type TableName,
} from "../../shared/resources.js";
import { gqlAt, randomSuffix, waitFor } from "../helpers/index.js";
import { devApp } from "./devApp.js";
import { serveApp } from "./serveApp.js";

/**
 * Grants the workload does not reach, each with the code path that needs it. Kept small: a grant
 * that nothing here exercises and that no path below needs should be removed instead.
 */
const UNEXERCISED: readonly { fn: FunctionName; permission: string; path: string }[] = [
  ...(["api", "runner", "executor", "timer"] as const).map((fn) => ({
    fn,
    permission: "s3:ListBucket on bucket:payloads",
    path: "no call of its own: S3 checks it when GetObject names a missing key, to answer 404 (S3BlobStore.get's NoSuchKey) instead of 403",
  })),
  ...(["api", "executor"] as const).map((fn) => ({
    fn,
    permission: "secretsmanager:GetSecretValue on secret:signingKey",
    path: "lambdas/wiring.ts signingKeys() at cold start on AWS; `tideline dev` takes the key from TIDELINE_SIGNING_KEY",
  })),
];

/** Over the inline limit (64 KiB, largeJson.ts): stored in the payload bucket. */
const BIG = INLINE_LIMIT_BYTES + 6 * 1024;

const app = await devApp("grants");
const { inngest, ev, appId, send, final, runOf, untilWaiting } = app;
const stops: (() => Promise<void>)[] = [];

/** A request to `tideline dev` that must answer 2xx: its JSON body. */
async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } }
      : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A timer message put straight on the timers queue, as Scheduler or a delayed send delivers it. */
async function timer(message: TimerMessage): Promise<void> {
  await awsClients().sqs.send(
    new SendMessageCommand({
      QueueUrl: process.env[QUEUES.timers.env],
      MessageBody: JSON.stringify(message),
    }),
  );
}

beforeAll(async () => {
  awsCalls.reset();
  const stop = { event: ev("stop"), match: "data.id" };
  const child = inngest.createFunction({ id: "child", triggers: [] }, async ({ event }) => ({
    doubled: Number((event.data as { n: number }).n) * 2,
  }));
  const functions = [
    child,
    inngest.createFunction(
      { id: "multi", cancelOn: [stop], triggers: [{ event: ev("multi") }] },
      async ({ step }) => {
        const a = await step.run("small", () => 1);
        const big = await step.run("big", () => "b".repeat(BIG));
        const [l, r] = await Promise.all([step.run("left", () => "l"), step.run("right", () => "r")]);
        return { a, l, r, big };
      },
    ),
    inngest.createFunction({ id: "later", triggers: [{ event: ev("later") }] }, async () => "later"),
    inngest.createFunction(
      { id: "flaky", retries: 2, triggers: [{ event: ev("flaky") }] },
      async ({ step, attempt }) =>
        step.run("shaky", () => {
          if (attempt === 0) throw new Error("first attempt fails");
          return "steady";
        }),
    ),
    inngest.createFunction(
      { id: "fails", retries: 0, triggers: [{ event: ev("fails") }], onFailure: async () => "noted" },
      async () => {
        throw new NonRetriableError("kaboom");
      },
    ),
    inngest.createFunction(
      { id: "sleeper", cancelOn: [stop], triggers: [{ event: ev("sleeper") }] },
      async ({ step }) => {
        await step.sleep("nap", "1s");
        await step.sendEvent("announce", { name: ev("announced"), data: {} });
        return "woke";
      },
    ),
    inngest.createFunction({ id: "long-sleeper", triggers: [{ event: ev("long") }] }, async ({ step }) => {
      // Beyond the timers queue's 15-minute delay: a Scheduler at() schedule.
      await step.sleep("long", "20m");
      return "woke";
    }),
    inngest.createFunction({ id: "waiter", triggers: [{ event: ev("wait") }] }, async ({ step }) => {
      const got = await step.waitForEvent("approval", {
        event: ev("approve"),
        match: "data.id",
        timeout: "60s",
      });
      return got?.data.id ?? null;
    }),
    inngest.createFunction({ id: "quick-timeout", triggers: [{ event: ev("quick") }] }, async ({ step }) => {
      const got = await step.waitForEvent("nothing", { event: ev("never"), timeout: "1s" });
      return got === null;
    }),
    inngest.createFunction({ id: "parent", triggers: [{ event: ev("parent") }] }, async ({ step }) =>
      step.invoke("call child", { function: child, data: { n: 21 } }),
    ),
    inngest.createFunction(
      { id: "cancellable", cancelOn: [stop], triggers: [{ event: ev("cancellable") }] },
      async ({ step }) => {
        await step.sleep("long", "5m");
        return "not cancelled";
      },
    ),
    inngest.createFunction({ id: "sleepy", triggers: [{ event: ev("sleepy") }] }, async ({ step }) => {
      await step.sleep("long", "5m");
      return "woke";
    }),
    inngest.createFunction(
      { id: "finish-timeout", timeouts: { finish: "1s" }, triggers: [{ event: ev("finish-timeout") }] },
      async ({ step }) => {
        await step.sleep("long", "30s");
        return "finished";
      },
    ),
    inngest.createFunction(
      // One request per step: the executor admits (or parks) each next job.
      { id: "concurrent", concurrency: 1, checkpointing: false, triggers: [{ event: ev("concurrent") }] },
      async ({ step }) => {
        await step.run("hold", () => new Promise((r) => setTimeout(() => r("held"), 200)));
        // Two jobs at once on a limit of one: the executor admits the first and parks the second.
        await Promise.all([step.run("left", () => "l"), step.run("right", () => "r")]);
        return "done";
      },
    ),
    inngest.createFunction(
      { id: "throttled", throttle: { limit: 1, period: "1s" }, triggers: [{ event: ev("throttle") }] },
      async () => "ran",
    ),
    inngest.createFunction(
      { id: "rate-limited", rateLimit: { limit: 1, period: "10s" }, triggers: [{ event: ev("rate") }] },
      async () => "ran",
    ),
    inngest.createFunction(
      {
        id: "debounced",
        cancelOn: [stop],
        // Long enough that the second event finds the first pending even when the runner's lanes
        // lag under a loaded machine (a 1 s period let the first fire first, and the runner never
        // read it back).
        debounce: { period: "5s" },
        triggers: [{ event: ev("debounce") }],
      },
      async ({ event }) => (event.data as { n: number }).n,
    ),
    inngest.createFunction(
      {
        id: "batched",
        batchEvents: { maxSize: 3, timeout: "2s", key: "event.data.group" },
        triggers: [{ event: ev("batch") }],
      },
      async ({ events }) => events.length,
    ),
    inngest.createFunction(
      { id: "idempotent", idempotency: "event.data.order", triggers: [{ event: ev("idem") }] },
      async () => "once",
    ),
    inngest.createFunction(
      { id: "solo", singleton: { key: "event.data.key", mode: "skip" }, triggers: [{ event: ev("solo") }] },
      async ({ step }) => {
        await step.sleep("hold", "1s");
        return "solo";
      },
    ),
    inngest.createFunction(
      { id: "signal-waiter", triggers: [{ event: ev("signal") }] },
      async ({ event, step }) =>
        step.waitForSignal("sig", {
          signal: String((event.data as { signal: string }).signal),
          timeout: "60s",
          onConflict: "replace",
        }),
    ),
  ];
  await app.start(functions);
  await Promise.all([largeRun(), flows(), waits(), cancels(), crons()]);
}, 120_000);

afterAll(async () => {
  for (const stop of stops.splice(0)) await stop();
  await app.stop();
});

/** A run whose event and step output are in S3, read back through REST and GraphQL; reruns, replay, metadata. */
async function largeRun(): Promise<void> {
  const eventId = await send("multi", { blob: "e".repeat(BIG), id: "never-stopped" });
  const run = await final(eventId);
  expect(run.status).toBe("Completed");
  const got = await call<{ data: { output: { big: string } } }>("GET", `/v1/runs/${run.run_id}`);
  expect(got.data.output.big).toHaveLength(BIG);
  await call("GET", `/v1/runs/${run.run_id}/jobs`);
  const event = await call<{ data: { data: { blob: string } } }>("GET", `/v1/events/${eventId}`);
  expect(event.data.data.blob).toHaveLength(BIG);
  await call("GET", `/v0/runs/${run.run_id}/actions`);
  await call("GET", `/v0/runs/${run.run_id}/batch`);
  const trace = await gqlAt<{
    run: { trace: { childrenSpans: { name: string; stepID: string; outputID: string | null }[] } };
  }>(
    app.url,
    "query ($runId: String!) { run(runID: $runId) { trace(preview: true) { childrenSpans { name stepID outputID } } } }",
    { runId: run.run_id },
  );
  const [first, big] = trace.run.trace.childrenSpans;
  const out = await gqlAt<{ runTraceSpanOutputByID: { data: string } }>(
    app.url,
    "query ($id: String!) { runTraceSpanOutputByID(outputID: $id) { data } }",
    { id: big?.outputID },
  );
  expect(JSON.parse(out.runTraceSpanOutputByID.data)).toHaveLength(BIG);
  await gqlAt(
    app.url,
    'query { runs(orderBy: [], filter: { from: "2020-01-01T00:00:00Z" }) { totalCount } }',
  );
  await call("POST", `/v1/runs/${run.run_id}/rerun`, {});
  await call("POST", `/v1/runs/${run.run_id}/rerun`, { from_step_id: big?.stepID ?? first?.stepID });
  await call("POST", "/v1/replays", {
    function_id: `${appId}-multi`,
    from: new Date(Date.now() - 60_000).toISOString(),
    until: new Date().toISOString(),
  });
  await call("POST", `/v1/runs/${run.run_id}/metadata`, {
    target: { run_id: run.run_id },
    metadata: [{ kind: "score", values: { accuracy: 0.75 } }],
  });
}

/** Retries, onFailure, sleeps, flow control (concurrency, throttle, rate limit, debounce, batch, idempotency, singleton). */
async function flows(): Promise<void> {
  const started = await Promise.all([
    send("flaky"),
    send("fails"),
    send("sleeper", { id: "never-stopped" }),
    send("concurrent"),
    send("concurrent"),
    send("concurrent"),
    send("throttle"),
    send("throttle"),
    send("rate"),
    send("rate"),
    send("idem", { order: "o-1" }),
    send("idem", { order: "o-1" }),
    send("solo", { key: "k" }),
    send("solo", { key: "k" }),
    send("finish-timeout"),
  ]);
  // A debounce of large events (in S3): the second reads the first back, the fire reads the last.
  const now = Date.now();
  await send("debounce", { n: 1, blob: "d".repeat(BIG), id: "never-stopped" }, now);
  const lastDebounced = await send("debounce", { n: 2, blob: "d".repeat(BIG), id: "never-stopped" }, now + 1);
  // An event from the future: its run's first job is due beyond the timers queue's delay.
  await send("later", {}, Date.now() + 3_600_000);
  // A full batch flushes on its third event (in the runner), a short one at its timeout (timer).
  await Promise.all([
    send("batch", { group: "full" }),
    send("batch", { group: "full" }),
    send("batch", { group: "full" }),
    send("batch", { group: "short" }),
  ]);
  const ended = await Promise.all(started.map((id) => final(id, 40_000)));
  expect(ended.every((r) => r.status !== "Running")).toBe(true);
  // One run for both, with the last event (a first event fired alone would be a run of its own):
  // the runner read the first back, the timer the last.
  const debounced = await final(lastDebounced, 40_000);
  expect([debounced.status, debounced.output]).toEqual(["Completed", 2]);
  const debounceRuns = await call<{ data: { run_id: string }[] }>(
    "GET",
    `/v1/runs?function_id=${appId}-debounced`,
  );
  expect(debounceRuns.data.map((r) => r.run_id)).toEqual([debounced.run_id]);
  await waitFor(
    async () => {
      const runs = await call<{ data: { status: string }[] }>("GET", `/v1/runs?function_id=${appId}-batched`);
      return runs.data.filter((r) => r.status === "Completed").length >= 2;
    },
    { timeoutMs: 20_000, intervalMs: 200, what: "both batches' runs" },
  );
  // A rerun of a limited run takes its lease through the API.
  const limited = await runOf(started[3] ?? "");
  await call("POST", `/v1/runs/${limited.run_id}/rerun`, {});
}

/** waitForEvent (matched, timed out), invoke, cancelOn, signals. */
async function waits(): Promise<void> {
  const id = `o-${randomSuffix()}`;
  const [waitEvent, quick, parent, cancellable, signalEvent] = await Promise.all([
    send("wait", { id }),
    send("quick"),
    send("parent"),
    send("cancellable", { id }),
    send("signal", { signal: `s-${id}` }),
  ]);
  const waiter = await runOf(waitEvent);
  await untilWaiting(waiter.run_id, "approval");
  await send("approve", { id });
  const c = await runOf(cancellable);
  await untilWaiting(c.run_id, "long");
  await send("stop", { id });
  const s = await runOf(signalEvent);
  await untilWaiting(s.run_id, "sig");
  await call("POST", "/v1/signals", { signal: `s-${id}`, data: { ok: true } });
  const done = await Promise.all([waitEvent, quick, parent, cancellable, signalEvent].map((e) => final(e)));
  expect(done.map((r) => r.status)).toEqual([
    "Completed",
    "Completed",
    "Completed",
    "Cancelled",
    "Completed",
  ]);
}

/** Cancel by REST (a run sleeping on a Scheduler schedule), bulk cancellation, listings, events by API. */
async function cancels(): Promise<void> {
  const [long, sleepy] = await Promise.all([
    send("long").then((id) => runOf(id)),
    send("sleepy").then((id) => runOf(id)),
  ]);
  await untilWaiting(long.run_id, "long");
  await call("DELETE", `/v1/runs/${long.run_id}`);
  await untilWaiting(sleepy.run_id, "long");
  const cancellation = await call<{ data: { id: string } }>("POST", "/v1/cancellations", {
    app_id: appId,
    function_id: `${appId}-sleepy`,
    started_before: new Date(Date.now() + 1000).toISOString(),
  });
  const cancelled = await final(sleepy.event_id);
  expect(cancelled.status).toBe("Cancelled");
  await call("GET", "/v1/cancellations");
  await call("DELETE", `/v1/cancellations/${cancellation.data.id}`);
  await call("GET", "/v1/events");
  await call("GET", "/v1/runs");
  await call("GET", "/dev");
  await call("GET", `/v1/apps/${appId}/functions`);
  await call("POST", "/v1/events", { name: ev("via-api"), data: {} });
}

/**
 * Cron syncs (a recurring schedule created, then updated and another deleted by a second sync; a
 * chained cron's at() tick), a cron tick and the recovery sweep delivered by the timers queue.
 */
async function crons(): Promise<void> {
  const cronApp = new Inngest({ id: `${appId}-cron`, isDev: true, baseUrl: app.url });
  const yearly = cronApp.createFunction(
    { id: "yearly", triggers: [{ cron: "0 0 1 1 *" }] },
    async () => "tick",
  );
  const monthly = cronApp.createFunction(
    { id: "monthly", triggers: [{ cron: "0 0 1 * *" }] },
    async () => "t",
  );
  // Both day fields restricted: Scheduler cannot say it, so the sync starts a chain of at() ticks.
  const chained = cronApp.createFunction(
    { id: "chained", triggers: [{ cron: "0 0 13 * 5" }] },
    async () => "t",
  );
  const gone = cronApp.createFunction({ id: "gone", triggers: [{ event: ev("gone") }] }, async () => "t");
  const v1 = await serveApp({ client: cronApp, functions: [yearly, monthly, chained, gone] });
  stops.push(() => v1.stop());
  await call("POST", "/v1/apps/sync", { url: v1.url });
  const v2 = await serveApp({ client: cronApp, functions: [yearly, chained] });
  stops.push(() => v2.stop());
  await call("POST", "/v1/apps/sync", { url: v2.url });
  await timer({
    item: {
      kind: "cron",
      fnSlug: `${appId}-cron-yearly`,
      cron: "0 0 1 1 *",
      scheduledAt: "2026-01-01T00:00:00Z",
    },
    dueAt: 0,
  });
  // Early timers are delayed again: on the queue (a few seconds) or on Scheduler (an hour).
  await timer({ item: { kind: "sweep" }, dueAt: Date.now() + 3_000 });
  await timer({ item: { kind: "sweep" }, dueAt: Date.now() + 3_600_000 });
  await waitFor(
    async () => {
      const runs = await call<{ data: { function_id: string; status: string }[] }>("GET", "/v1/runs");
      return runs.data.some((r) => r.function_id === `${appId}-cron-yearly` && r.status === "Completed");
    },
    { timeoutMs: 30_000, intervalMs: 200, what: "the cron tick's run" },
  );
  // The sweep due in 3 s has run once the active index was read.
  await waitFor(
    () => loggedCalls().some((c) => c.fn === "timer" && c.resources.some((r) => r.index === "active")),
    {
      timeoutMs: 20_000,
      intervalMs: 200,
      what: "the recovery sweep",
    },
  );
}

// ---- the check ----

/** The function each Lambda entry is (calls are logged under the entry name). */
const BY_ENTRY = new Map<string, FunctionName>(
  (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => [FUNCTIONS[name].entry, name]),
);

/** A manifest resource by the physical name a call used (local names come from the environment). */
function resolve(r: AwsResource): CallResource | string {
  const byEnv = <K extends string>(specs: Record<K, { env: string }>, match: (value: string) => boolean) =>
    (Object.keys(specs) as K[]).find((k) => {
      const value = process.env[specs[k].env];
      return value !== undefined && match(value);
    });
  switch (r.kind) {
    case "table": {
      const table = byEnv<TableName>(TABLES, (v) => v === r.name);
      return table
        ? {
            kind: "table",
            table,
            ...(r.index ? { index: r.index } : {}),
            ...(r.itemOps ? { itemOps: r.itemOps } : {}),
          }
        : `table ${r.name}`;
    }
    case "queue": {
      const queue = byEnv<QueueName>(QUEUES, (v) => sameQueue(v, r.name));
      return queue ? { kind: "queue", queue } : `queue ${r.name}`;
    }
    case "stream": {
      const stream = byEnv<StreamName>(STREAMS, (v) => v === r.name);
      return stream ? { kind: "stream", stream } : `stream ${r.name}`;
    }
    case "bucket": {
      const bucket = byEnv<BucketName>(BUCKETS, (v) => v === r.name);
      return bucket ? { kind: "bucket", bucket } : `bucket ${r.name}`;
    }
    case "scheduleGroup":
      return r.name === process.env[SCHEDULER.groupEnv]
        ? { kind: "scheduleGroup" }
        : `schedule group ${r.name}`;
    case "secret":
      return r.name === process.env.TIDELINE_SIGNING_KEY_SECRET_ARN
        ? { kind: "signingKey" }
        : `secret ${r.name}`;
  }
}

interface LoggedCall extends AwsCallRecord {
  fn: FunctionName;
}

/** The calls the handlers made (the emulated mappings and the test's own calls are unscoped). */
function loggedCalls(): LoggedCall[] {
  return awsCalls.log().flatMap((c) => {
    const fn = c.who === undefined ? undefined : BY_ENTRY.get(c.who);
    return fn ? [{ ...c, fn }] : [];
  });
}

/** Each function's needed permissions, with the calls that needed them; unknown resources apart. */
function neededPermissions(): { needed: Map<string, Set<string>>; unknown: string[] } {
  const needed = new Map<string, Set<string>>();
  const unknown: string[] = [];
  for (const c of loggedCalls()) {
    const resolved = c.resources.map(resolve);
    const strange = resolved.filter((r): r is string => typeof r === "string");
    if (strange.length) unknown.push(`${c.fn}: ${c.service}.${c.operation} on ${strange.join(", ")}`);
    const resources = resolved.filter((r): r is CallResource => typeof r !== "string");
    for (const p of permissionsOf({ service: c.service, operation: c.operation, resources })) {
      const key = `${c.fn}: ${describePermission(p)}`;
      const calls = needed.get(key) ?? new Set<string>();
      calls.add(`${c.service}.${c.operation}`);
      needed.set(key, calls);
    }
  }
  return { needed, unknown };
}

function granted(fn: FunctionName): Permission[] {
  return grantedPermissions(FUNCTIONS[fn].grants);
}

describe("IAM grants against the AWS calls of a workload touching every feature", () => {
  it("logs calls from every function that has a handler", () => {
    const seen = new Set(loggedCalls().map((c) => c.fn));
    expect([...seen].sort()).toEqual((Object.keys(FUNCTIONS) as FunctionName[]).sort());
  });

  it("makes no call its function is not granted (it would be denied on AWS)", () => {
    const { needed, unknown } = neededPermissions();
    const grantedKeys = new Set(
      (Object.keys(FUNCTIONS) as FunctionName[]).flatMap((fn) =>
        granted(fn).map((p) => `${fn}: ${describePermission(p)}`),
      ),
    );
    const denied = [...needed]
      .filter(([key]) => !grantedKeys.has(key))
      .map(([key, calls]) => `${key} (needed by ${[...calls].join(", ")})`);

    expect(unknown, "calls on resources outside the manifest").toEqual([]);
    expect(denied, "calls the manifest does not grant").toEqual([]);
  });

  it("exercises every grant (each DynamoDB action on each table and index), except the few listed with their code path", () => {
    const { needed } = neededPermissions();
    const allowed = new Set(UNEXERCISED.map((u) => `${u.fn}: ${u.permission}`));
    const all = (Object.keys(FUNCTIONS) as FunctionName[]).flatMap((fn) =>
      granted(fn).map((p) => `${fn}: ${describePermission(p)}`),
    );
    const unused = all.filter((key) => !needed.has(key) && !allowed.has(key));
    const stale = [...allowed].filter((key) => needed.has(key) || !all.includes(key));

    expect(unused, "granted, never called by the workload and not listed in UNEXERCISED").toEqual([]);
    expect(stale, "UNEXERCISED entries that are exercised now, or not granted").toEqual([]);
  });
});
