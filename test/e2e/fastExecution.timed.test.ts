/**
 * Fast execution with the official JS SDK on `tideline dev`: fan-outs run side by side, races
 * resolve with the first result, checkpointing runs a whole function in one request (and falls
 * back to the classic flow when it cannot), and a slow run holds up no other run.
 */
import type { IncomingMessage } from "node:http";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/emulators.js";
import { firstRunOf, type RestRun, randomSuffix, waitFor, waitForFinalRun } from "../helpers/index.js";
import { serveOnDev } from "./serveApp.js";

let runtime: Awaited<ReturnType<typeof serveOnDev>>;
let inngest: Inngest;
/**
 * Runs whose checkpoint calls the app's client fails (the SDK must fall back to the classic flow)
 * or sends twice (a retried request the server already stored), by run id.
 */
const checkpointFaults = new Map<string, "fail" | "double">();
let ev: (name: string) => string;

/** Step bodies run, by run key and step name. */
const ran = new Map<string, number>();
/** Execution requests (POSTs to the app) by run id. */
const requests = new Map<string, number>();
/** When each step body began, by run key. */
const startedAt = new Map<string, number[]>();

function count(key: string): void {
  ran.set(key, (ran.get(key) ?? 0) + 1);
}

function countRequest(req: IncomingMessage): void {
  const runId = req.headers["x-run-id"];
  if (req.method === "POST" && typeof runId === "string") requests.set(runId, (requests.get(runId) ?? 0) + 1);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Set by the slow function's step body: it is executing. */
let slowStepRunning = false;

async function send(name: string, data: Record<string, unknown>): Promise<RestRun> {
  const { ids } = await inngest.send({ name: ev(name), data });
  return waitForFinalRun(runtime.url, ids[0] ?? "", { intervalMs: 25, timeoutMs: 30_000 });
}

async function stepsOf(runId: string): Promise<{ step_id?: string; name?: string; status?: string }[]> {
  const res = await fetch(`${runtime.url}/v1/runs/${runId}/jobs`);
  return ((await res.json()) as { data: { name?: string; status?: string }[] }).data;
}

beforeAll(async () => {
  const suffix = randomSuffix();
  const port = await freePort();
  const appId = `fast-${suffix}`;
  ev = (name) => `fast-${suffix}/${name}`;
  const baseUrl = `http://127.0.0.1:${port}`;
  const faultyFetch: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const fault = [...checkpointFaults].find(([runId]) => url.includes(`/v1/checkpoint/${runId}/`))?.[1];
    if (fault === "fail") return new Response("injected failure", { status: 500 });
    if (fault === "double") await fetch(input, init);
    return fetch(input, init);
  };
  inngest = new Inngest({ id: appId, isDev: true, baseUrl, fetch: faultyFetch });

  const fiveSteps = (id: string, opts: { checkpointing?: false; fault?: "fail" | "double" } = {}) =>
    inngest.createFunction(
      {
        id,
        triggers: [{ event: ev(id) }],
        ...(opts.checkpointing === false ? { checkpointing: false } : {}),
      },
      async ({ event, step, runId }) => {
        const key = String(event.data.key);
        if (opts.fault) checkpointFaults.set(runId, opts.fault);
        let total = 0;
        for (const n of [1, 2, 3, 4, 5]) {
          total += await step.run(`s${n}`, () => {
            count(`${key}:s${n}`);
            return n;
          });
        }
        return total;
      },
    );

  const functions = [
    inngest.createFunction({ id: "fan-out", triggers: [{ event: ev("fan") }] }, async ({ event, step }) => {
      const key = String(event.data.key);
      const width = Number(event.data.width);
      const results = await Promise.all(
        Array.from({ length: width }, (_, i) =>
          step.run(`p${i}`, async () => {
            count(`${key}:p${i}`);
            await sleep(1000);
            return i;
          }),
        ),
      );
      return results.reduce((a, b) => a + b, 0);
    }),
    inngest.createFunction({ id: "race", triggers: [{ event: ev("race") }] }, async ({ event, step }) => {
      const key = String(event.data.key);
      const winner = await Promise.race([
        step.run("fast", async () => {
          count(`${key}:fast`);
          await sleep(100);
          return "fast";
        }),
        step.run("slow", async () => {
          count(`${key}:slow`);
          await sleep(1500);
          return "slow";
        }),
      ]);
      return step.run("after", () => {
        count(`${key}:after`);
        return `winner ${winner}`;
      });
    }),
    fiveSteps("five"),
    fiveSteps("five-classic", { checkpointing: false }),
    fiveSteps("five-broken", { fault: "fail" }),
    fiveSteps("five-doubled", { fault: "double" }),
    inngest.createFunction(
      { id: "short-runtime", triggers: [{ event: ev("short") }], checkpointing: { maxRuntime: "1s" } },
      async ({ event, step }) => {
        const key = String(event.data.key);
        let total = 0;
        for (const n of [1, 2, 3, 4]) {
          total += await step.run(`s${n}`, async () => {
            count(`${key}:s${n}`);
            await sleep(400);
            return n;
          });
        }
        return total;
      },
    ),
    inngest.createFunction(
      { id: "step-and-sleep", triggers: [{ event: ev("nap") }] },
      async ({ event, step }) => {
        const key = String(event.data.key);
        const [worked] = await Promise.all([
          step.run("work", async () => {
            count(`${key}:work`);
            await sleep(2000);
            return "worked";
          }),
          step.sleep("nap", "2s"),
        ]);
        return worked;
      },
    ),
    inngest.createFunction({ id: "slow", triggers: [{ event: ev("slow") }] }, async ({ step }) => {
      await step.run("slow step", () => {
        slowStepRunning = true;
        return sleep(6000);
      });
      return "slow done";
    }),
    inngest.createFunction({ id: "quick", triggers: [{ event: ev("quick") }] }, async ({ event, step }) => {
      const key = String(event.data.key);
      for (const n of [1, 2, 3]) {
        await step.run(`q${n}`, () => {
          startedAt.set(key, [...(startedAt.get(key) ?? []), Date.now()]);
        });
      }
      return "quick done";
    }),
  ];
  runtime = await serveOnDev({ client: inngest, functions, port, prefix: appId, onRequest: countRequest });
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
});

describe("fast execution on tideline dev", () => {
  it("runs a 20-way fan-out of 1 s steps side by side: under 3 s, each step once", async () => {
    const key = randomSuffix();
    const run = await send("fan", { key, width: 20 });

    expect(run.status).toBe("Completed");
    expect(run.output).toBe(190);
    const wallMs = Date.parse(run.ended_at ?? "") - Date.parse(run.run_started_at ?? "");
    expect(wallMs).toBeLessThan(3000);
    for (let i = 0; i < 20; i++) expect(ran.get(`${key}:p${i}`)).toBe(1);
  });

  it("sleeps beside a step rather than after it: a 2 s step and a 2 s sleep take about 2 s", async () => {
    const key = randomSuffix();
    const run = await send("nap", { key });

    expect([run.status, run.output]).toEqual(["Completed", "worked"]);
    const wallMs = Date.parse(run.ended_at ?? "") - Date.parse(run.run_started_at ?? "");
    expect(wallMs).toBeGreaterThanOrEqual(2000);
    expect(wallMs).toBeLessThan(3500); // one after the other would take more than 4 s
    expect(ran.get(`${key}:work`)).toBe(1);
  });

  it("resolves Promise.race with the first step, and keeps the other memoized", async () => {
    const key = randomSuffix();
    const run = await send("race", { key });

    expect(run.status).toBe("Completed");
    expect(run.output).toBe("winner fast");
    expect([ran.get(`${key}:fast`), ran.get(`${key}:slow`), ran.get(`${key}:after`)]).toEqual([1, 1, 1]);
    const steps = await stepsOf(run.run_id);
    expect(steps.map((s) => s.name).sort()).toEqual(["after", "fast", "slow"]);
  });

  it("completes a 5-step function in 1 SDK request by default, and in 6 without checkpointing", async () => {
    const key = randomSuffix();
    const checkpointed = await send("five", { key });
    const classic = await send("five-classic", { key });

    expect([checkpointed.status, checkpointed.output, classic.status, classic.output]).toEqual([
      "Completed",
      15,
      "Completed",
      15,
    ]);
    expect(requests.get(checkpointed.run_id)).toBe(1);
    expect(requests.get(classic.run_id)).toBe(6);
    for (const n of [1, 2, 3, 4, 5]) expect(ran.get(`${key}:s${n}`)).toBe(2); // once per run
    // Checkpointed steps are steps of the run's history like any other.
    expect((await stepsOf(checkpointed.run_id)).map((s) => s.name).sort()).toEqual([
      "s1",
      "s2",
      "s3",
      "s4",
      "s5",
    ]);
  });

  it("goes on with targeted requests once maxRuntime is spent, each step once", async () => {
    const key = randomSuffix();
    const run = await send("short", { key });

    expect([run.status, run.output]).toEqual(["Completed", 10]);
    for (const n of [1, 2, 3, 4]) expect(ran.get(`${key}:s${n}`)).toBe(1);
    expect(requests.get(run.run_id)).toBeGreaterThan(1);
  });

  it("falls back to the classic flow when checkpoints fail, each step once", async () => {
    const key = randomSuffix();
    const run = await send("five-broken", { key });

    expect([run.status, run.output]).toEqual(["Completed", 15]);
    for (const n of [1, 2, 3, 4, 5]) expect(ran.get(`${key}:s${n}`)).toBe(1);
    expect(requests.get(run.run_id)).toBeGreaterThan(1);
  }, 60_000);

  it("stores nothing twice when a checkpoint arrives again", async () => {
    const key = randomSuffix();
    const run = await send("five-doubled", { key });

    expect([run.status, run.output]).toEqual(["Completed", 15]);
    expect(requests.get(run.run_id)).toBe(1);
    expect((await stepsOf(run.run_id)).map((s) => s.name).sort()).toEqual(["s1", "s2", "s3", "s4", "s5"]);
  });

  it("runs another run's steps while a slow step of one run is executing", async () => {
    const slow = await inngest.send({ name: ev("slow"), data: {} });
    await waitFor(() => slowStepRunning, { timeoutMs: 20_000, intervalMs: 10, what: "the slow step" });
    const key = randomSuffix();
    const t0 = Date.now();
    const { ids } = await inngest.send({ name: ev("quick"), data: { key } });
    const quick = await waitForFinalRun(runtime.url, ids[0] ?? "", { intervalMs: 25, timeoutMs: 20_000 });
    const elapsed = Date.now() - t0;

    expect(quick.status).toBe("Completed");
    expect(elapsed).toBeLessThan(3000);
    const slowRun = await firstRunOf(runtime.url, slow.ids[0] ?? "");
    expect(slowRun.status).toBe("Running");
  });
});
