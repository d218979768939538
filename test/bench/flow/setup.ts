/** The flow-control bench's runtime and apps: the functions of every part, and sending events to them. */
import { Inngest } from "inngest";
import { silentLogger } from "../../../infra/local/log.js";
import { startLocalRuntime } from "../../../infra/local/runtime.js";
import { serveApp } from "../../e2e/serveApp.js";
import { randomSuffix } from "../../helpers/index.js";
import {
  clock,
  FAIR_LIMIT,
  FAIR_STEP_MS,
  PEAK_FN_LIMIT,
  PEAK_KEY_LIMIT,
  sleep,
  THROTTLE,
  THROTTLE_BURSTS,
} from "./shared.js";

export interface StepSpan {
  tag: string;
  tenant: string;
  start: number;
  end: number;
}

export async function setup() {
  const suffix = randomSuffix();
  const appId = `bench-flow-${suffix}`;
  const throttleAppId = `bench-flow-thr-${suffix}`;
  const ev = (name: string) => `bench-flow-${suffix}/${name}`;
  const runtime = await startLocalRuntime({
    port: 0,
    prefix: `bench-flow-${suffix}`,
    log: silentLogger,
    // The handlers' own logs would bury the figures; TIDELINE_LOG_LEVEL=WARN shows them.
    env: { TIDELINE_LOG_LEVEL: process.env.TIDELINE_LOG_LEVEL ?? "SILENT" },
  });
  const inngest = new Inngest({ id: appId, isDev: true, baseUrl: runtime.url });
  const throttled = new Inngest({ id: throttleAppId, isDev: true, baseUrl: runtime.url });

  /** Part a's step bodies; first step body start and function return, by event tag; bodies run, by tag and step. */
  const spans: StepSpan[] = [];
  const firstStart = new Map<string, number>();
  const returned = new Map<string, number>();
  const bodies = new Map<string, number>();
  const hit = (key: string) => bodies.set(key, (bodies.get(key) ?? 0) + 1);
  const started = (tag: string) => {
    if (!firstStart.has(tag)) firstStart.set(tag, clock());
  };

  const peak = inngest.createFunction(
    {
      id: "peak",
      concurrency: [{ limit: PEAK_KEY_LIMIT, key: "event.data.tenant" }, { limit: PEAK_FN_LIMIT }],
      triggers: [{ event: ev("peak") }],
    },
    async ({ step, event }) => {
      const tag = String(event.data.tag);
      const tenant = String(event.data.tenant);
      const ms = event.data.ms as number[];
      for (let i = 0; i < 2; i++) {
        await step.run(`s${i}`, async () => {
          const start = clock();
          if (i === 0) started(tag);
          hit(`${tag}:${i}`);
          await sleep(ms[i] ?? 20);
          spans.push({ tag, tenant, start, end: clock() });
          return i;
        });
      }
      returned.set(tag, clock());
      return "ok";
    },
  );

  const fair = inngest.createFunction(
    {
      id: "fair",
      concurrency: { limit: FAIR_LIMIT, key: "event.data.tenant" },
      triggers: [{ event: ev("fair") }],
    },
    async ({ step, event }) => {
      const tag = String(event.data.tag);
      const steps = Number(event.data.steps ?? 2);
      for (let i = 0; i < steps; i++) {
        await step.run(`s${i}`, async () => {
          if (i === 0) started(tag);
          await sleep(FAIR_STEP_MS);
          return i;
        });
      }
      returned.set(tag, clock());
      return "ok";
    },
  );

  /** Part d's 3-step functions; `holdMs` makes the first step hold its slot (a parked run). */
  type Run = (id: string, fn: () => Promise<number>) => Promise<unknown>;
  const threeSteps = async (run: Run, data: Record<string, unknown>) => {
    const tag = String(data.tag);
    for (let i = 0; i < 3; i++) {
      await run(`s${i}`, async () => {
        if (i === 0) started(tag);
        if (i === 0 && data.holdMs) await sleep(Number(data.holdMs));
        return i;
      });
    }
    returned.set(tag, clock());
    return "ok";
  };
  const callsPlain = inngest.createFunction(
    { id: "calls-plain", triggers: [{ event: ev("calls-plain") }] },
    ({ step, event }) => threeSteps((id, fn) => step.run(id, fn), event.data),
  );
  const callsConc = inngest.createFunction(
    {
      id: "calls-conc",
      concurrency: { limit: 1, key: "event.data.tenant" },
      triggers: [{ event: ev("calls-conc") }],
    },
    ({ step, event }) => threeSteps((id, fn) => step.run(id, fn), event.data),
  );

  const throttleFns = THROTTLE_BURSTS.map((burst) =>
    throttled.createFunction(
      {
        id: `throttle-b${burst}`,
        throttle: { limit: THROTTLE.limit, period: `${THROTTLE.periodMs / 1000}s`, burst },
        triggers: [{ event: ev(`throttle-b${burst}`) }],
      },
      async ({ step, event }) => {
        const tag = String(event.data.tag);
        await step.run("start", async () => {
          started(tag);
          return tag;
        });
        returned.set(tag, clock());
        return "ok";
      },
    ),
  );
  // Never delays at the pace of part d (100 starts a second), so its runs show the check's own cost.
  const callsThrottle = throttled.createFunction(
    {
      id: "calls-throttle",
      throttle: { limit: 100, period: "1s" },
      triggers: [{ event: ev("calls-throttle") }],
    },
    ({ step, event }) => threeSteps((id, fn) => step.run(id, fn), event.data),
  );
  // One start per 3 s: the second of two runs sent together is delayed.
  const callsThrottleDelay = throttled.createFunction(
    {
      id: "calls-throttle-delay",
      throttle: { limit: 1, period: "3s" },
      triggers: [{ event: ev("calls-throttle-delay") }],
    },
    ({ step, event }) => threeSteps((id, fn) => step.run(id, fn), event.data),
  );

  const app = await serveApp({ client: inngest, functions: [peak, fair, callsPlain, callsConc] });
  const put = await fetch(app.url, { method: "PUT" });
  if (put.status !== 200) throw new Error(`sync failed: ${put.status} ${await put.text()}`);
  const throttleApp = await serveApp({
    client: throttled,
    functions: [...throttleFns, callsThrottle, callsThrottleDelay],
  });
  const putThrottled = await fetch(throttleApp.url, { method: "PUT" });
  const throttleSync =
    putThrottled.status === 200
      ? undefined
      : `sync failed: ${putThrottled.status} ${await putThrottled.text()}`;

  /**
   * Every send of the bench, one at a time: moto 5.2.5's Kinesis numbers PutRecords' records
   * without a lock, so two requests at once can give two records one sequence number and the
   * stream keeps one of them (FailedRecordCount 0): the other event is lost before the runner.
   */
  let sending: Promise<unknown> = Promise.resolve();
  const sendEvents = (client: Inngest, events: Array<{ name: string; data: Record<string, unknown> }>) => {
    const result = sending.then(() => client.send(events));
    sending = result.catch(() => undefined);
    return result;
  };
  let seq = 0;
  const nextTag = (prefix: string) => `${prefix}-${seq++}`;
  /** Sends one event; its id, tag and the time just before the send. */
  const send = async (
    fnId: string,
    data: Record<string, unknown> = {},
    client: Inngest = inngest,
  ): Promise<{ eventId: string; tag: string; sentAt: number }> => {
    const tag = String(data.tag ?? nextTag(fnId));
    const sentAt = clock();
    const { ids } = await sendEvents(client, [{ name: ev(fnId), data: { ...data, tag } }]);
    return { eventId: ids[0] ?? "", tag, sentAt };
  };
  return {
    runtime,
    inngest,
    throttled,
    throttleSync,
    appId,
    throttleAppId,
    ev,
    send,
    sendEvents,
    nextTag,
    spans,
    firstStart,
    returned,
    bodies,
    stop: async () => {
      await app.stop();
      await throttleApp.stop();
      await runtime.stop({ graceMs: 5000 });
    },
  };
}

export type Bench = Awaited<ReturnType<typeof setup>>;
