/**
 * Throttle, rate limit, idempotency and singleton with the official JS SDK on `tideline dev`
 * (SEMANTICS 5.1, 5.2, 5.6, 5.7): delayed starts measured from the function body, Skipped runs as
 * REST and GraphQL show them, a singleton holder skipped past or cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlAt, randomSuffix } from "../helpers/index.js";
import { devApp } from "./devApp.js";

const app = await devApp("gates");
const { inngest, ev, send, final, runOf, untilWaiting } = app;
/** When each throttled run's body first ran (epoch ms), by its event's data.tag. */
const started = new Map<string, number>();

/** The GraphQL status of a run and of the event's runs. */
async function gqlStatuses(
  eventId: string,
  runId: string,
): Promise<{ run: string; trace: string; onEvent: string[] }> {
  const data = await gqlAt<{
    run: { status: string; trace: { status: string } | null } | null;
    eventV2: { runs: { status: string }[] };
  }>(
    app.url,
    `query ($runId: String!, $eventId: ULID!) {
      run(runID: $runId) { status trace(preview: true) { status } }
      eventV2(id: $eventId) { runs { status } }
    }`,
    { runId, eventId },
  );
  return {
    run: data.run?.status ?? "",
    trace: data.run?.trace?.status ?? "",
    onEvent: data.eventV2.runs.map((r) => r.status),
  };
}

beforeAll(async () => {
  await app.start([
    inngest.createFunction(
      {
        id: "throttled",
        throttle: { limit: 2, period: "3s", burst: 1 },
        triggers: [{ event: ev("throttle") }],
      },
      async ({ event, step }) => {
        await step.run("start", () => {
          const tag = String(event.data.tag);
          if (!started.has(tag)) started.set(tag, Date.now());
          return tag;
        });
        return "ok";
      },
    ),
    inngest.createFunction(
      {
        id: "rate-limited",
        rateLimit: { limit: 1, period: "5s", key: "event.data.key" },
        triggers: [{ event: ev("rate") }],
      },
      async () => "ran",
    ),
    inngest.createFunction(
      { id: "idempotent", idempotency: "event.data.order", triggers: [{ event: ev("idem") }] },
      async () => "ran",
    ),
    inngest.createFunction(
      { id: "solo", singleton: { key: "event.data.key", mode: "skip" }, triggers: [{ event: ev("solo") }] },
      async ({ event, step }) => {
        if (event.data.hold)
          await step.waitForEvent("hold", { event: ev("release"), match: "data.key", timeout: "60s" });
        return "done";
      },
    ),
    inngest.createFunction(
      {
        id: "latest",
        singleton: { key: "event.data.key", mode: "cancel" },
        triggers: [{ event: ev("latest") }],
      },
      async ({ event, step }) => {
        if (event.data.hold)
          await step.waitForEvent("hold", { event: ev("release"), match: "data.key", timeout: "60s" });
        return "done";
      },
    ),
  ]);
}, 120_000);

afterAll(() => app.stop());

describe("rate limit", () => {
  it("skips the second event of a key within the period (REST Skipped, GraphQL SKIPPED); another key runs", async () => {
    const key = `k-${randomSuffix()}`;
    const first = await send("rate", { key });
    await runOf(first);
    const second = await send("rate", { key });
    const other = await send("rate", { key: `${key}-other` });

    expect(await final(first)).toMatchObject({ status: "Completed", output: "ran" });
    const skipped = await final(second);
    expect(skipped).toMatchObject({ status: "Skipped", output: null });
    expect(skipped.ended_at).not.toBeNull();
    expect(await final(other)).toMatchObject({ status: "Completed" });
    expect(await gqlStatuses(second, skipped.run_id)).toEqual({
      run: "SKIPPED",
      trace: "SKIPPED",
      onEvent: ["SKIPPED"],
    });
  });

  it("lists Skipped runs in the runs listing, filterable by status", async () => {
    const key = `k-${randomSuffix()}`;
    const first = await send("rate", { key });
    await runOf(first);
    const skipped = await final(await send("rate", { key }));
    const data = await gqlAt<{ runs: { edges: { node: { id: string; status: string } }[] } }>(
      app.url,
      `query ($from: Time!) { runs(first: 100, orderBy: [{ field: QUEUED_AT, direction: DESC }],
        filter: { from: $from, status: [SKIPPED] }) { edges { node { id status } } } }`,
      { from: new Date(Date.now() - 60_000).toISOString() },
    );
    expect(data.runs.edges.map((e) => e.node)).toContainEqual({ id: skipped.run_id, status: "SKIPPED" });
  });
});

describe("idempotency", () => {
  it("starts one run for events with the same key; the others are Skipped", async () => {
    const order = `o-${randomSuffix()}`;
    const { ids } = await inngest.send(
      Array.from({ length: 3 }, () => ({ name: ev("idem"), data: { order } })),
    );
    const runs = await Promise.all(ids.map((id) => final(id)));
    expect(runs.map((r) => r.status).sort()).toEqual(["Completed", "Skipped", "Skipped"]);
    expect((await final(await send("idem", { order: `${order}-2` }))).status).toBe("Completed");
  });
});

describe("singleton", () => {
  it("skip: a run while the holder lives is Skipped; after it ends the next one runs", async () => {
    const key = `k-${randomSuffix()}`;
    const holderEvent = await send("solo", { key, hold: true });
    const holder = await runOf(holderEvent);
    const skipped = await final(await send("solo", { key }));
    expect(skipped.status).toBe("Skipped");

    await untilWaiting(holder.run_id, "hold");
    await send("release", { key });
    expect(await final(holderEvent)).toMatchObject({ status: "Completed", output: "done" });
    expect(await final(await send("solo", { key }))).toMatchObject({ status: "Completed", output: "done" });
  });

  it("cancel: the holder is Cancelled and the new run completes", async () => {
    const key = `k-${randomSuffix()}`;
    const holderEvent = await send("latest", { key, hold: true });
    await runOf(holderEvent);
    const newer = await send("latest", { key });
    expect((await final(holderEvent)).status).toBe("Cancelled");
    expect(await final(newer)).toMatchObject({ status: "Completed", output: "done" });
  });
});

describe("throttle", () => {
  it("starts limit + burst at once, then one every period/limit, dropping none", async () => {
    const tag = randomSuffix();
    const { ids } = await inngest.send(
      Array.from({ length: 6 }, (_, i) => ({ name: ev("throttle"), data: { tag: `${tag}-${i}` } })),
    );
    const runs = await Promise.all(ids.map((id) => final(id)));
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill("Completed"));

    // {limit 2, period 3s, burst 1}: 3 at once, then slots 1.5 s apart from the first reservation,
    // made as the first run was created (after its queue time). A start never precedes its slot.
    const createdAt = Math.min(...runs.map((r) => Date.parse(r.run_started_at ?? "")));
    const times = Array.from({ length: 6 }, (_, i) => (started.get(`${tag}-${i}`) ?? Number.NaN) - createdAt);
    times.sort((a, b) => a - b);
    const why = `start times after the first run's creation: ${times.join(", ")} ms`;
    // Three together: a third start held to the 1.5 s slot would come about 1.5 s after the first
    // (starts take the same route from creation to the function body, loaded or not).
    expect((times[2] ?? 0) - (times[0] ?? 0), why).toBeLessThan(1200);
    for (let k = 3; k < 6; k++) {
      const slot = (k - 2) * 1500;
      expect(times[k], why).toBeGreaterThanOrEqual(slot - 60);
      expect(times[k], why).toBeLessThan(slot + 3000);
    }
  });
});
