/**
 * More step tools with the official JS SDK on `tideline dev`: deferred runs (`defer()` and
 * `createDefer`), event `meta` sessions carried into the run and an invoked child, bulk
 * cancellation by function and window, and a step running beside a wait.
 */
import { createDefer } from "inngest/experimental";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomSuffix, waitFor } from "../helpers/index.js";
import { devApp } from "./devApp.js";

const app = await devApp("more");
const { inngest, ev, appId, send, final, runOf } = app;
/** What deferred runs and invoked children saw, by key. */
const deferred = new Map<string, { data: unknown; parents: unknown }>();
const childEvents = new Map<string, unknown>();
const sleepersStarted = new Set<string>();

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${app.url}${path}`, { method: "POST", body: JSON.stringify(body) });
}

beforeAll(async () => {
  const later = createDefer(
    inngest,
    { id: "later" },
    async ({ event, parents }: { event: { data: Record<string, unknown> }; parents: unknown }) => {
      deferred.set(String(event.data.key), { data: event.data, parents });
      return "deferred ran";
    },
  );
  const child = inngest.createFunction({ id: "child", triggers: [] }, async ({ event }) => {
    childEvents.set(String((event.data as Record<string, unknown>).key), event);
    return "child";
  });
  const functions = [
    later,
    child,
    inngest.createFunction(
      { id: "deferrer", triggers: [{ event: ev("defer") }] },
      async ({ event, step, defer }) => {
        const key = String(event.data.key);
        await step.run("work", () => "done");
        defer("keep", { function: later, data: { key } });
        const dropped = defer("drop", { function: later, data: { key: `${key}-dropped` } });
        dropped.abort();
        return "parent done";
      },
    ),
    inngest.createFunction(
      { id: "with-meta", triggers: [{ event: ev("meta") }] },
      async ({ event, step }) => {
        await step.invoke("call child", { function: child, data: { key: event.data.key } });
        return { meta: (event as { meta?: unknown }).meta ?? null };
      },
    ),
    inngest.createFunction(
      { id: "sleeper", triggers: [{ event: ev("sleeper") }] },
      async ({ event, step }) => {
        sleepersStarted.add(String(event.data.key));
        await step.sleep("long", "10m");
        return "woke";
      },
    ),
    inngest.createFunction(
      { id: "side-by-side", triggers: [{ event: ev("both") }] },
      async ({ event, step }) => {
        const [reply] = await Promise.all([
          step.waitForEvent("reply", { event: ev("reply"), match: "data.key", timeout: "60s" }),
          step.run("ask", async () => {
            // The step itself triggers the reply the run waits for.
            await inngest.send({ name: ev("reply"), data: { key: event.data.key, answer: 42 } });
            return "asked";
          }),
        ]);
        return { answer: reply?.data.answer ?? null };
      },
    ),
  ];
  await app.start(functions);
}, 120_000);

afterAll(() => app.stop());

describe("defer()", () => {
  it("runs the deferred function once the parent finishes, and not the aborted one", async () => {
    const key = randomSuffix();
    const parent = await final(await send("defer", { key }));
    expect(parent.status).toBe("Completed");
    const seen = await waitFor(async () => deferred.get(key), { timeoutMs: 20_000, intervalMs: 50 });
    expect(seen.data).toEqual({ key });
    expect(seen.parents).toEqual([{ fnSlug: `${appId}-deferrer`, runId: parent.run_id }]);
    // The aborted defer would have been sent with the kept one, in the same stream put: once the
    // kept defer's run has completed, its scheduling events are all stored and listed by name.
    const schedules = await waitFor(
      async () => {
        const res = await fetch(`${app.url}/v1/events?name=inngest/deferred.schedule`);
        const list = ((await res.json()) as { data: { data: { _inngest: { parent_run_id: string } } }[] })
          .data;
        const mine = list.filter((e) => e.data._inngest.parent_run_id === parent.run_id);
        return mine.length > 0 ? mine : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(schedules.map((e) => e.data)).toEqual([
      {
        key,
        _inngest: {
          fn_slug: `${appId}-later`,
          parent_fn_slug: `${appId}-deferrer`,
          parent_run_id: parent.run_id,
        },
      },
    ]);
    expect(deferred.has(`${key}-dropped`)).toBe(false);
  });
});

describe("event meta", () => {
  it("keeps sessions on the run's event and carries them to an invoked child", async () => {
    const key = randomSuffix();
    const res = await post("/e/any", {
      name: ev("meta"),
      data: { key },
      meta: { sessions: { user: "u-1" } },
    });
    const { ids } = (await res.json()) as { ids: string[] };
    const done = await final(ids[0] ?? "");
    expect(done.output).toEqual({ meta: { sessions: { user: "u-1" } } });
    const childEvent = await waitFor(async () => childEvents.get(key), { timeoutMs: 20_000 });
    expect(childEvent).toMatchObject({
      name: "inngest/function.invoked",
      meta: { sessions: { user: "u-1" } },
    });
  });
});

describe("bulk cancellation", () => {
  it("cancels the running runs of a function started in the window, and lists the cancellation", async () => {
    const keys = [randomSuffix(), randomSuffix(), randomSuffix()];
    const eventIds = await Promise.all(keys.map((key) => send("sleeper", { key })));
    await Promise.all(eventIds.map(runOf));
    await waitFor(async () => (keys.every((k) => sleepersStarted.has(k)) ? true : undefined), {
      timeoutMs: 20_000,
    });
    const res = await post("/v1/cancellations", {
      app_id: appId,
      function_id: `${appId}-sleeper`,
      started_after: new Date(Date.now() - 60_000).toISOString(),
      started_before: new Date(Date.now() + 1000).toISOString(),
      if: `event.data.key != "${keys[2]}"`,
    });
    expect(res.status).toBe(200);
    const { data: created } = (await res.json()) as { data: { id: string } };
    const [first, second] = await Promise.all(eventIds.slice(0, 2).map((id) => final(id)));
    expect([first?.status, second?.status]).toEqual(["Cancelled", "Cancelled"]);
    const spared = await runOf(eventIds[2] ?? "");
    expect(spared.status).toBe("Running");
    const list = (await (await fetch(`${app.url}/v1/cancellations`)).json()) as {
      data: { id: string }[];
    };
    expect(list.data.map((c) => c.id)).toContain(created.id);
  });
});

describe("a step beside a wait", () => {
  it("runs the step while the run waits, and the reply it triggers resumes the wait", async () => {
    const key = randomSuffix();
    const done = await final(await send("both", { key }));
    expect(done.status).toBe("Completed");
    expect(done.output).toEqual({ answer: 42 });
  });
});
