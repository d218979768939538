/**
 * Concurrency limits with the official JS SDK on `tideline dev`: a keyed limit holds per key and
 * lets other keys through, a sleeping run holds no slot, and an account-scoped key is shared by
 * every function that uses it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweep, waitFor } from "../helpers/index.js";
import { devApp } from "./devApp.js";

const app = await devApp("conc");
const { inngest, ev, send } = app;

/** The order in which prioritised runs began their step. */
const order: string[] = [];

/** Intervals during which a step body ran, by label. */
const spans = new Map<string, Array<[number, number]>>();

async function timed(label: string, ms: number): Promise<void> {
  const start = Date.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  spans.set(label, [...(spans.get(label) ?? []), [start, Date.now()]]);
}

/** Most intervals overlapping at any instant. */
const peak = (intervals: Array<[number, number]>) => sweep(intervals).peak;

const final = (eventId: string) => app.final(eventId, 60_000);

beforeAll(async () => {
  await app.start([
    inngest.createFunction(
      {
        id: "keyed",
        concurrency: { limit: 2, key: "event.data.tenant" },
        triggers: [{ event: ev("keyed") }],
      },
      async ({ event, step }) => {
        await step.run("work", () => timed(`keyed:${event.data.tenant}`, 300));
        await step.run("more", () => timed(`keyed:${event.data.tenant}`, 300));
        return event.data.tenant;
      },
    ),
    inngest.createFunction(
      { id: "sleeper", concurrency: 1, triggers: [{ event: ev("sleeper") }] },
      async ({ event, step }) => {
        await step.run("before", () => timed("sleeper", 50));
        if (event.data.sleep) await step.sleep("nap", "4s");
        await step.run("after", () => timed("sleeper", 50));
        return Date.now();
      },
    ),
    inngest.createFunction(
      {
        id: "prioritised",
        concurrency: 1,
        priority: { run: "event.data.boost" },
        triggers: [{ event: ev("prio") }],
      },
      async ({ event, step }) => {
        await step.run("call", async () => {
          order.push(String(event.data.label));
          // The first holds the slot long enough for the others to queue behind it.
          await timed("prio", event.data.label === "first" ? 1500 : 100);
        });
      },
    ),
    ...["x", "y"].map((id) =>
      inngest.createFunction(
        {
          id: `shared-${id}`,
          concurrency: { limit: 1, key: '"vendor"', scope: "account" },
          triggers: [{ event: ev("shared") }],
        },
        async ({ step }) => {
          await step.run("call", () => timed("shared", 300));
        },
      ),
    ),
  ]);
}, 120_000);

afterAll(() => app.stop());

describe("concurrency limits (official SDK)", () => {
  it("runs at most `limit` steps at once per key, and another key is not held up", async () => {
    const a = await Promise.all(Array.from({ length: 8 }, () => send("keyed", { tenant: "a" })));
    const b = await Promise.all(Array.from({ length: 2 }, () => send("keyed", { tenant: "b" })));
    const runsB = await Promise.all(b.map(final));
    const doneB = Date.now();
    const runsA = await Promise.all(a.map(final));
    expect([...runsA, ...runsB].map((r) => r.status)).toEqual(Array(10).fill("Completed"));
    expect(peak(spans.get("keyed:a") ?? [])).toBe(2);
    expect(peak(spans.get("keyed:b") ?? [])).toBe(2);
    // Tenant b's two runs finished while tenant a's queue (8 runs, 2 at a time) was still going.
    const lastA = Math.max(...(spans.get("keyed:a") ?? []).map(([, end]) => end));
    expect(doneB).toBeLessThan(lastA);
  }, 90_000);

  it("a sleeping run holds no slot: with a limit of 1 another run completes during the sleep", async () => {
    const sleeping = await send("sleeper", { sleep: true });
    const quick = await send("sleeper", { sleep: false });
    const [slept, fast] = await Promise.all([final(sleeping), final(quick)]);
    expect(slept.status).toBe("Completed");
    expect(fast.status).toBe("Completed");
    expect(Number(fast.output)).toBeLessThan(Number(slept.output));
    expect(peak(spans.get("sleeper") ?? [])).toBe(1);
  }, 60_000);

  it("priority reorders the waiting runs: a boosted run goes ahead of runs queued before it", async () => {
    const first = await send("prio", { label: "first", boost: 0 });
    // Wait until the first holds the one slot, so the others queue behind it.
    await waitFor(() => order.length > 0, {
      timeoutMs: 30_000,
      intervalMs: 20,
      what: "the first run's step",
    });
    const { ids } = await inngest.send(
      [
        { label: "low-1", boost: 0 },
        { label: "low-2", boost: 0 },
        { label: "low-3", boost: 0 },
        { label: "boosted", boost: 300 },
      ].map((data) => ({ name: ev("prio"), data })),
    );
    await Promise.all([first, ...ids].map(final));
    // Runs created in the same millisecond share a score, so the lows may come in any order.
    expect(order.slice(0, 2)).toEqual(["first", "boosted"]);
    expect(order.slice(2).sort()).toEqual(["low-1", "low-2", "low-3"]);
  }, 60_000);

  it("an account-scoped key is one limit shared by every function using it", async () => {
    const ids = await Promise.all(Array.from({ length: 3 }, () => send("shared", {})));
    // Each event starts both functions: six runs, never two calls at once.
    await Promise.all(ids.map(final));
    await waitFor(() => (spans.get("shared") ?? []).length >= 6, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: "six calls",
    });
    expect(peak(spans.get("shared") ?? [])).toBe(1);
  }, 60_000);
});
