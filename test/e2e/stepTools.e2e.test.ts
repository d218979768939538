/**
 * Step tools with the official JS SDK on `tideline dev`: waitForEvent (match, timeout), invoke
 * (result, caught failure, unknown function, timeout), onFailure and system events, cancelOn,
 * cancelling through the API, run timeouts and signals.
 */
import { NonRetriableError, referenceFunction } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomSuffix, waitFor } from "../helpers/index.js";
import { devApp } from "./devApp.js";

const app = await devApp("tools");
const { inngest, ev, appId, send, final, runOf, untilWaiting } = app;
/** What the onFailure handler and the cancellation listener saw, by the original event's key. */
const failures = new Map<string, { message: string; data: unknown; runId: unknown }>();
const cancellations = new Map<string, unknown>();

beforeAll(async () => {
  const child = inngest.createFunction(
    { id: "child", triggers: [{ event: ev("child") }] },
    async ({ event }) => ({
      doubled: Number(event.data.n) * 2,
    }),
  );
  const childFails = inngest.createFunction(
    { id: "child-fails", retries: 0, triggers: [{ event: ev("child-fails") }] },
    async () => {
      throw new NonRetriableError("child broke");
    },
  );
  const slowChild = inngest.createFunction({ id: "slow-child", triggers: [] }, async ({ step }) => {
    await step.sleep("long", "30s");
    return "late";
  });
  const functions = [
    child,
    childFails,
    slowChild,
    inngest.createFunction({ id: "waiter", triggers: [{ event: ev("wait") }] }, async ({ step }) => {
      await step.run("before", () => "ready");
      const approval = await step.waitForEvent("approval", {
        event: ev("approve"),
        match: "data.id",
        timeout: "60s",
      });
      return { approvedBy: approval?.data.by ?? null, name: approval?.name ?? null };
    }),
    inngest.createFunction({ id: "quick-timeout", triggers: [{ event: ev("quick") }] }, async ({ step }) => {
      const nothing = await step.waitForEvent("nothing", { event: ev("never"), timeout: "1s" });
      return { timedOut: nothing === null };
    }),
    inngest.createFunction({ id: "parent", triggers: [{ event: ev("parent") }] }, async ({ step }) => {
      const result = await step.invoke("call child", { function: child, data: { n: 21 } });
      let caught = "";
      try {
        await step.invoke("call failing child", { function: childFails, data: {} });
      } catch (err) {
        caught = (err as Error).message;
      }
      let missing = "";
      try {
        await step.invoke("call missing", {
          function: referenceFunction({ appId, functionId: "does-not-exist" }),
          data: {},
        });
      } catch (err) {
        missing = (err as Error).message;
      }
      return { result, caught, missing };
    }),
    inngest.createFunction({ id: "impatient", triggers: [{ event: ev("impatient") }] }, async ({ step }) => {
      try {
        await step.invoke("call slow child", { function: slowChild, data: {}, timeout: "2s" });
        return { timedOut: false };
      } catch (err) {
        return { timedOut: true, name: (err as Error).name, message: (err as Error).message };
      }
    }),
    inngest.createFunction(
      {
        id: "fails",
        retries: 0,
        triggers: [{ event: ev("fails") }],
        onFailure: async ({ event, error, runId }) => {
          failures.set(String(event.data.event.data.key), {
            message: error.message,
            data: event.data.event.data,
            runId,
          });
        },
      },
      async () => {
        throw new Error("kaboom");
      },
    ),
    inngest.createFunction(
      {
        id: "cancellable",
        cancelOn: [{ event: ev("stop"), match: "data.id" }],
        triggers: [{ event: ev("cancellable") }],
      },
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
      { id: "finish-timeout", timeouts: { finish: "2s" }, triggers: [{ event: ev("finish-timeout") }] },
      async ({ step }) => {
        await step.sleep("long", "30s");
        return "finished";
      },
    ),
    inngest.createFunction(
      { id: "start-timeout", timeouts: { start: "1s" }, triggers: [{ event: ev("start-timeout") }] },
      async () => "started",
    ),
    inngest.createFunction(
      { id: "on-cancelled", triggers: [{ event: "inngest/function.cancelled" }] },
      async ({ event }) => {
        cancellations.set(String(event.data.run_id), event.data);
        return "noted";
      },
    ),
    inngest.createFunction(
      { id: "signal-waiter", triggers: [{ event: ev("signal") }] },
      async ({ event, step }) => {
        const got = await step.waitForSignal("sig", {
          signal: String(event.data.signal),
          timeout: "60s",
          onConflict: "replace",
        });
        return { got };
      },
    ),
  ];
  await app.start(functions);
}, 120_000);

afterAll(() => app.stop());

describe("step.waitForEvent", () => {
  it("resumes with the matching event sent after the wait began, ignoring one that does not match", async () => {
    const id = `o-${randomSuffix()}`;
    const eventId = await send("wait", { id });
    const run = await runOf(eventId);
    await untilWaiting(run.run_id, "approval");
    await send("approve", { id: "someone-else", by: "mallory" });
    await send("approve", { id, by: "alice" });
    const done = await final(eventId);
    expect(done.status).toBe("Completed");
    expect(done.output).toEqual({ approvedBy: "alice", name: ev("approve") });
  });

  it("resumes with null when the timeout passes first", async () => {
    const done = await final(await send("quick"));
    expect(done.status).toBe("Completed");
    expect(done.output).toEqual({ timedOut: true });
  });
});

describe("step.invoke", () => {
  it("returns the child's result, throws the child's failure and names an unknown function", async () => {
    const done = await final(await send("parent"), 45_000);
    expect(done.status).toBe("Completed");
    expect(done.output).toEqual({
      result: { doubled: 42 },
      caught: "child broke",
      missing: `could not find function with ID: ${appId}-does-not-exist`,
    });
  });

  it("fails the step when the child does not finish within the invoke timeout", async () => {
    const done = await final(await send("impatient"));
    expect(done.output).toMatchObject({ timedOut: true, name: "InngestInvokeTimeoutError" });
  });
});

describe("onFailure and system events", () => {
  it("runs the onFailure handler with the error and the original event", async () => {
    const key = randomSuffix();
    const eventId = await send("fails", { key });
    expect((await final(eventId)).status).toBe("Failed");
    const seen = await waitFor(async () => failures.get(key), { timeoutMs: 20_000, intervalMs: 50 });
    expect(seen).toMatchObject({ message: "kaboom", data: { key } });
  });
});

describe("cancellation", () => {
  it("cancels a run when a matching cancelOn event arrives, and announces it", async () => {
    const id = `c-${randomSuffix()}`;
    const eventId = await send("cancellable", { id });
    const run = await runOf(eventId);
    await untilWaiting(run.run_id, "long");
    await send("stop", { id: "other" });
    await send("stop", { id });
    const done = await final(eventId);
    expect(done.status).toBe("Cancelled");
    const announced = await waitFor(async () => cancellations.get(run.run_id), { timeoutMs: 20_000 });
    expect(announced).toMatchObject({ function_id: `${appId}-cancellable`, run_id: run.run_id });
  });

  it("cancels a sleeping run through DELETE /v1/runs/{runId}", async () => {
    const eventId = await send("sleepy");
    const run = await runOf(eventId);
    await untilWaiting(run.run_id, "long");
    const res = await fetch(`${app.url}/v1/runs/${run.run_id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect((await final(eventId)).status).toBe("Cancelled");
  });

  it("cancels a run past its finish timeout, and one that did not start within its start timeout", async () => {
    const late = await send("finish-timeout");
    // A `ts` in the future delays the start beyond the 1 s start timeout.
    const unstarted = await send("start-timeout", {}, Date.now() + 10_000);
    expect((await final(late)).status).toBe("Cancelled");
    expect((await final(unstarted)).status).toBe("Cancelled");
  });
});

describe("signals", () => {
  it("resumes the run waiting on a signal with its data, and answers 404 when nobody waits", async () => {
    const signal = `sig-${randomSuffix()}`;
    const eventId = await send("signal", { signal });
    const run = await runOf(eventId);
    await untilWaiting(run.run_id, "sig");
    const res = await fetch(`${app.url}/v1/signals`, {
      method: "POST",
      body: JSON.stringify({ signal, data: { ok: true } }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { run_id: string } }).data.run_id).toBe(run.run_id);
    expect((await final(eventId)).output).toEqual({ got: { signal, data: { ok: true } } });
    const none = await fetch(`${app.url}/v1/signals`, {
      method: "POST",
      body: JSON.stringify({ signal: `${signal}-nobody`, data: {} }),
    });
    expect(none.status).toBe(404);
  });
});
