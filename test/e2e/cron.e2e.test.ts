/**
 * Cron triggers with the official JS SDK on `tideline dev`: the sync creates a Scheduler `cron()`
 * schedule, the local schedule driver fires it at the minute (as Scheduler would), and the tick's
 * `inngest/scheduled.timer` event starts a run; a cron that does not parse is refused at sync.
 */
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RestRun, waitFor } from "../helpers/index.js";
import { devApp } from "./devApp.js";
import { serveApp } from "./serveApp.js";

interface Seen {
  event: { name: string; id?: string; ts?: number; data: Record<string, unknown> };
  runId: string;
}

const app = await devApp("cron");
const { inngest, appId } = app;
/** What the cron function's handler was called with, first call first. */
const seen: Seen[] = [];

beforeAll(async () => {
  await app.start([
    inngest.createFunction(
      { id: "every-minute", triggers: [{ cron: "* * * * *" }] },
      async ({ event, runId }) => {
        seen.push({ event, runId });
        return event.id ?? null;
      },
    ),
  ]);
}, 120_000);

afterAll(() => app.stop());

describe("cron triggers", () => {
  it("runs a * * * * * function at the next minute with an inngest/scheduled.timer event whose id is that minute", async () => {
    // The first tick is at most a minute away, plus the driver's poll and the run's own hops.
    const first = await waitFor(() => seen[0], {
      timeoutMs: 75_000,
      intervalMs: 200,
      what: "the first cron run",
    });

    expect(first.event.name).toBe("inngest/scheduled.timer");
    expect(first.event.id).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
    expect(first.event.data).toEqual({
      cron: "* * * * *",
      scheduledAt: first.event.id,
      fireAt: first.event.id, // no jitter
    });
    expect(first.event.ts).toBe(Date.parse(first.event.id ?? ""));
    const run = await waitFor(
      async () => {
        const res = await fetch(`${app.url}/v1/runs/${first.runId}`);
        const data = res.ok ? ((await res.json()) as { data: RestRun }).data : undefined;
        return data?.status === "Completed" ? data : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `run ${first.runId} completed` },
    );
    expect(run.function_id).toBe(`${appId}-every-minute`);
    expect(run.output).toBe(first.event.id);
  }, 100_000);

  it("refuses a sync whose cron does not parse with a 400 naming the field", async () => {
    const bad = new Inngest({ id: `${appId}-bad`, isDev: true, baseUrl: app.url });
    const badApp = await serveApp({
      client: bad,
      functions: [
        bad.createFunction({ id: "never", triggers: [{ cron: "99 99 99 99 99" }] }, async () => null),
      ],
    });
    try {
      const res = await fetch(`${app.url}/v1/apps/sync`, {
        method: "POST",
        body: JSON.stringify({ url: badApp.url }),
      });
      const text = await res.text();
      expect(res.status, text).toBe(400);
      expect(text).toContain("functions[0].triggers[0].cron: minute 99 is out of range 0-59");
    } finally {
      await badApp.stop();
    }
  });
});
