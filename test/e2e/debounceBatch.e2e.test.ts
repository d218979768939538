/**
 * Debounce and batching with the official JS SDK on `tideline dev`: a burst debounced to one run
 * with its last event, an older `ts` ignored, batches of maxSize and the rest at the timeout with
 * `events` in order and `event` the first, and an event whose batch `if` is false run alone.
 * Every scenario uses its own key (`data.group`), so they share two functions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomSuffix, waitFor } from "../helpers/index.js";
import { devApp } from "./devApp.js";

interface Seen {
  runId: string;
  /** `data.n` of `event` and of each of `events`. */
  event: unknown;
  events: unknown[];
}

const app = await devApp("flow");
const { inngest, ev, send } = app;
/** What each run of each function saw, by the events' `data.group`. */
const seen = new Map<string, Seen[]>();

function record(group: unknown, runId: string, event: { data: Record<string, unknown> }, events: unknown[]) {
  const key = String(group);
  const n = (e: unknown) =>
    typeof e === "object" && e !== null && "data" in e && typeof e.data === "object" && e.data !== null
      ? (e.data as Record<string, unknown>).n
      : undefined;
  // A retried request records its run again: keep one entry per run.
  const runs = (seen.get(key) ?? []).filter((s) => s.runId !== runId);
  seen.set(key, [...runs, { runId, event: event.data.n, events: events.map(n) }]);
}

/** Sends one event and waits until the runner has handled it (the event is stored then). */
async function sendHandled(name: string, data: Record<string, unknown>, ts?: number): Promise<string> {
  const id = await send(name, data, ts);
  await waitFor(async () => (await fetch(`${app.url}/v1/events/${id}`)).status === 200, {
    timeoutMs: 15_000,
    intervalMs: 20,
    what: `event ${id} handled`,
  });
  return id;
}

/** Waits until `group` has `count` runs recorded, then returns them (oldest first). */
async function runsOf(group: string, count: number, timeoutMs = 20_000): Promise<Seen[]> {
  return waitFor(
    () => {
      const runs = seen.get(group) ?? [];
      return runs.length >= count ? runs : undefined;
    },
    { timeoutMs, intervalMs: 50, what: `${count} runs of ${group}` },
  );
}

beforeAll(async () => {
  await app.start([
    inngest.createFunction(
      {
        id: "debounced",
        debounce: { period: "2s", key: "event.data.group" },
        triggers: [{ event: ev("typed") }],
      },
      async ({ event, events, runId }) => {
        record(event.data.group, runId, event, events);
        return event.data.n;
      },
    ),
    inngest.createFunction(
      {
        id: "batched",
        batchEvents: { maxSize: 3, timeout: "2s", key: "event.data.group", if: "event.data.mode == 'batch'" },
        triggers: [{ event: ev("item") }],
      },
      async ({ event, events, runId }) => {
        record(event.data.group, runId, event, events);
        return events.length;
      },
    ),
  ]);
}, 120_000);

afterAll(() => app.stop());

describe("debounce", () => {
  it("runs once, with the last of five rapid events", async () => {
    const group = `burst-${randomSuffix()}`;
    const base = Date.now();
    // Explicit, increasing `ts`: whatever order the stream's shards deliver them in, the last wins.
    for (let n = 1; n <= 5; n++) await send("typed", { group, n }, base + n);
    const [run] = await runsOf(group, 1);
    expect(run).toMatchObject({ event: 5, events: [5] });
    // Nothing else runs: the debounce is gone once it fired (a later event would start a new one).
    await sendHandled("typed", { group, n: 6 });
    const runs = await runsOf(group, 2);
    expect(runs.map((r) => r.event)).toEqual([5, 6]);
  });

  it("ignores an event older than the pending one", async () => {
    const group = `older-${randomSuffix()}`;
    await sendHandled("typed", { group, n: 1 });
    await sendHandled("typed", { group, n: 2 }, Date.now() - 60_000);
    const [run] = await runsOf(group, 1);
    expect(run).toMatchObject({ event: 1, events: [1] });
    // The old event started nothing of its own either.
    await sendHandled("typed", { group, n: 3 });
    expect((await runsOf(group, 2)).map((r) => r.event)).toEqual([1, 3]);
  });
});

describe("batching", () => {
  it("runs batches of maxSize at once and the rest at the timeout, `events` in order, `event` the first", async () => {
    const group = `seven-${randomSuffix()}`;
    for (let n = 1; n <= 7; n++) await sendHandled("item", { group, n, mode: "batch" });
    const runs = await runsOf(group, 3);
    expect(runs.map((r) => r.events)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(runs.map((r) => r.event)).toEqual([1, 4, 7]);
  });

  it("runs an event whose `if` is false alone, at once", async () => {
    const group = `solo-${randomSuffix()}`;
    await sendHandled("item", { group, n: 1, mode: "solo" });
    // Had the first been batched, this one would have joined its batch.
    await sendHandled("item", { group, n: 2, mode: "batch" });
    const [solo] = await runsOf(group, 1);
    expect(solo).toMatchObject({ event: 1, events: [1] });
    const runs = await runsOf(group, 2);
    expect(runs.map((r) => r.events)).toEqual([[1], [2]]);
  });
});
