import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/emulators.js";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { type RestRun, randomSuffix, waitFor, waitForFinalRun } from "../helpers/index.js";
import { type SdkApp, startSdkApp } from "./sdkApp.js";

let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;
let app: SdkApp;

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${runtime.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

/** Sends one event with the SDK and waits until its single run reaches a final status. */
async function sendAndWait(
  name: string,
  data: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<RestRun> {
  const { ids } = await app.inngest.send({ name: app.ev(name), data });
  return waitForFinalRun(runtime.url, ids[0] ?? "", { timeoutMs });
}

beforeAll(async () => {
  const suffix = randomSuffix();
  // The app is up first and the runtime syncs it on start, as `tideline dev -u <url>` does.
  const port = await freePort();
  app = await startSdkApp({ baseUrl: `http://127.0.0.1:${port}`, suffix });
  runtime = await startLocalRuntime({
    port,
    prefix: `e2e-${suffix}`,
    appUrls: [app.url],
    log: silentLogger,
    env: { TIDELINE_RETRY_INTERVAL_SECONDS: "1" },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await runtime?.stop();
});

describe("official inngest SDK on tideline dev", () => {
  it("syncs the app given with -u on start and lists its functions on /dev", async () => {
    const expected = [
      "hello",
      "three-steps",
      "fail-twice",
      "retry-after",
      "non-retriable",
      "exhausted",
      "fan-out",
      "wildcard",
      "filtered",
      "ten-steps",
      "hang",
      "sleeper",
    ];
    // The sync is written in batches: wait until all of it is visible.
    const slugs = await waitFor(
      async () => {
        const { body } = await getJson<{ functions: { slug: string }[] }>("/dev");
        const found = body.functions.map((f) => f.slug);
        return expected.every((id) => found.includes(`${app.appId}-${id}`)) ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(slugs.filter((s) => s.startsWith(`${app.appId}-`))).toHaveLength(expected.length);
  });

  it("re-syncs an app through the API route, reporting an unchanged config as not modified", async () => {
    const res = await fetch(`${runtime.url}/v1/apps/sync`, {
      method: "POST",
      body: JSON.stringify({ url: app.url }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 200, app_response: { modified: false } });
  });

  it("rejects an API sync without a usable URL", async () => {
    const res = await fetch(`${runtime.url}/v1/apps/sync`, {
      method: "POST",
      body: JSON.stringify({ url: "ftp://x" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, error: "url must be http or https, not ftp" });
  });

  it("completes a hello-world run with its return value", async () => {
    const run = await sendAndWait("hello", { name: "Tideline" });
    expect(run.status).toBe("Completed");
    expect(run.output).toBe("Hello, Tideline!");
    expect(run.function_id).toBe(`${app.appId}-hello`);
    expect(run.ended_at).not.toBeNull();
  });

  it("runs each of three sequential steps exactly once", async () => {
    const run = await sendAndWait("three", { tag: "x" });
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ sum: 6 });
    expect([app.rec.calls["one:x"], app.rec.calls["two:x"], app.rec.calls["three:x"]]).toEqual([1, 1, 1]);
  });

  it("retries a failing step with attempts 0, 1, 2 and starts the next step at attempt 0", async () => {
    const run = await sendAndWait("fail-twice");
    expect(run.status).toBe("Completed");
    expect(run.output).toBe("recovered");
    expect(app.rec.attempts.shaky).toEqual([0, 1, 2]);
    expect(app.rec.attempts.after).toEqual([0]);
    // The retry interval (1 s here) separates the attempts.
    const [t0 = 0, t1 = 0, t2 = 0] = app.rec.times.shaky ?? [];
    expect(t1 - t0).toBeGreaterThanOrEqual(900);
    expect(t2 - t1).toBeGreaterThanOrEqual(900);
  });

  it("waits for the SDK's retry-after time before the next attempt", async () => {
    const run = await sendAndWait("retry-after");
    expect(run.status).toBe("Completed");
    expect(app.rec.attempts.later).toEqual([0, 1]);
    const [t0 = 0, t1 = 0] = app.rec.times.later ?? [];
    // RetryAfterError("3s") overrides the 1 s retry interval.
    expect(t1 - t0).toBeGreaterThanOrEqual(2900);
  });

  it("fails at once on NonRetriableError", async () => {
    const run = await sendAndWait("non-retriable");
    expect(run.status).toBe("Failed");
    expect(app.rec.attempts["non-retriable"]).toEqual([0]);
    expect(JSON.stringify(run.output)).toContain("this will never work");
  });

  it("fails the run when retries are exhausted", async () => {
    const run = await sendAndWait("exhausted");
    expect(run.status).toBe("Failed");
    expect(app.rec.attempts.exhausted).toEqual([0, 1]);
    expect(JSON.stringify(run.output)).toContain("still broken on attempt 1");
  });

  it("completes parallel steps (run one after another for now), each exactly once", async () => {
    const run = await sendAndWait("fan-out");
    expect(run).toMatchObject({ status: "Completed", output: { a: 1, b: 2, c: 3 } });
    expect([app.rec.calls["fan:a"], app.rec.calls["fan:b"], app.rec.calls["fan:c"]]).toEqual([1, 1, 1]);
  });

  it("starts a function whose trigger is a wildcard", async () => {
    const run = await sendAndWait("wild.anything.goes");
    expect(run).toMatchObject({ status: "Completed", output: app.ev("wild.anything.goes") });
  });

  it("starts a run only for events that pass the trigger's if expression", async () => {
    const { ids } = await app.inngest.send([
      { name: app.ev("filtered"), data: { ok: false, n: 5 } },
      { name: app.ev("filtered"), data: { ok: true } },
    ]);
    const run = await sendAndWait("filtered", { ok: true, n: 7 });
    expect(run).toMatchObject({ status: "Completed", output: 7 });
    // The filtered-out events are stored with no runs (404 only until the runner has seen them).
    for (const id of ids) {
      const runs = await waitFor(
        async () => {
          const { status, body } = await getJson<{ data: RestRun[] }>(`/v1/events/${id}/runs`);
          return status === 200 ? body.data : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(runs).toEqual([]);
    }
  });

  it("sleeps through the timers queue and resumes after the duration", async () => {
    const run = await sendAndWait("sleeper", {}, 40_000);
    expect(run.status).toBe("Completed");
    expect((run.output as { slept: number }).slept).toBeGreaterThanOrEqual(2000);
  });

  it("answers 404 for unknown run and event ids", async () => {
    expect((await getJson("/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
    expect((await getJson("/v1/events/01ARZ3NDEKTSV4RRFFQ69G5FAV/runs")).status).toBe(404);
  });
});
