import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { type RestRun, randomSuffix, waitFor } from "../helpers/index.js";
import { type SdkApp, startSdkApp } from "./sdkApp.js";

/**
 * Invariant 4 of ARCHITECTURE.md under a burst: every accepted event is either matched to its runs
 * or recorded as unmatched, and every run it started completes with each step run once.
 */
let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;
let app: SdkApp;

beforeAll(async () => {
  const suffix = randomSuffix();
  runtime = await startLocalRuntime({ port: 0, prefix: `e2e-burst-${suffix}`, log: silentLogger });
  app = await startSdkApp({ baseUrl: runtime.url, suffix });
  expect((await fetch(app.url, { method: "PUT" })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await runtime?.stop();
});

async function runsOf(eventId: string): Promise<RestRun[] | undefined> {
  const res = await fetch(`${runtime.url}/v1/events/${eventId}/runs`);
  return res.status === 200 ? ((await res.json()) as { data: RestRun[] }).data : undefined;
}

describe("a burst of events", () => {
  it("records every event, starts runs only for matched ones, and completes each run once", async () => {
    const matched = Array.from({ length: 40 }, (_, i) => ({
      name: app.ev("three"),
      data: { tag: `burst-${i}` },
    }));
    const unmatched = Array.from({ length: 40 }, (_, i) => ({ name: app.ev("nobody-listens"), data: { i } }));
    const { ids } = await app.inngest.send([...matched, ...unmatched]);
    expect(ids).toHaveLength(80);

    const results = await waitFor(
      async () => {
        const all = await Promise.all(ids.map((id) => runsOf(id)));
        const done = all.every(
          (runs, i) => runs !== undefined && (i < 40 ? runs[0]?.status === "Completed" : runs.length === 0),
        );
        return done ? all : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    for (const [i, runs] of results.entries()) {
      if (i < 40) {
        expect(runs).toHaveLength(1);
        expect(runs?.[0]?.output).toEqual({ sum: 6 });
      } else {
        expect(runs).toEqual([]);
      }
    }
    for (let i = 0; i < 40; i++) {
      expect([
        app.rec.calls[`one:burst-${i}`],
        app.rec.calls[`two:burst-${i}`],
        app.rec.calls[`three:burst-${i}`],
      ]).toEqual([1, 1, 1]);
    }
  });
});
