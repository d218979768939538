import { describe, expect, it } from "vitest";
import { type DecideInput, decide } from "../../../shared/core/engine/decide.js";
import type { Job, RunRecord } from "../../../shared/domain/schemas.js";

const job: Job = {
  runId: "01RUN",
  fnSlug: "app-fn",
  stepId: "step",
  attempt: 0,
  version: 3,
  partition: "01RUN",
};
const NOW = 1_800_000_000_000;

const run: RunRecord = {
  runId: job.runId,
  fnSlug: job.fnSlug,
  appId: "app",
  status: "Running",
  eventId: "01EVT",
  events: [{ name: "app/go", data: {}, id: "01EVT", ts: NOW - 1000, user: {} }],
  startedAt: NOW - 1000,
  updatedAt: NOW - 500,
  version: job.version,
  requestVersion: 2,
  stack: ["a"],
  next: [],
};

/** The answer to `over.job` (pending on the run) with the run's stack as its stored steps. */
function input(over: Partial<DecideInput> & { stack?: string[] }): DecideInput {
  const { stack, ...rest } = over;
  const theJob = over.job ?? job;
  const theStack = stack ?? run.stack;
  return {
    job,
    outcome: { kind: "complete", data: null },
    maxAttempts: 5,
    run: { ...run, stack: theStack, next: [{ job: theJob }] },
    stored: new Set(theStack),
    requestStack: theStack.length,
    now: NOW,
    startedAt: NOW - 250,
    retryDelayMs: (failed) => (failed + 1) * 1000,
    ...rest,
  };
}

describe("decide", () => {
  it("completes the run with the returned value when the SDK answers 200", () => {
    const d = decide(input({ outcome: { kind: "complete", data: { ok: 1 } } }));
    expect(d.transition.set).toMatchObject({
      status: "Completed",
      output: { ok: 1 },
      endedAt: NOW,
      next: [],
    });
    expect(d.transition.steps).toBeUndefined();
  });

  it("stores a StepRun result, pushes it on the stack and schedules discovery at attempt 0", () => {
    const d = decide(
      input({
        job: { ...job, attempt: 2 },
        outcome: {
          kind: "ops",
          ops: [{ id: "h1", op: "StepRun", name: "one", data: "1" }],
          requestVersion: 2,
        },
      }),
    );
    expect(d.transition.steps).toEqual([
      {
        runId: "01RUN",
        stepId: "h1",
        value: { data: "1" },
        name: "one",
        op: "StepRun",
        attempts: 2,
        at: NOW,
        startedAt: NOW - 250,
      },
    ]);
    expect(d.transition.attempts).toBeUndefined();
    expect(d.transition.set.stack).toEqual(["a", "h1"]);
    expect(d.transition.set.requestVersion).toBe(2);
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 0, version: 4, stepId: "step" } }]);
  });

  it("stores null output as {data: null} when a step returns undefined", () => {
    const d = decide(input({ outcome: { kind: "ops", ops: [{ id: "h1", op: "StepRun" }] } }));
    expect(d.transition.steps?.[0]?.value).toEqual({ data: null });
  });

  it("retries a retriable StepError with the next attempt after the backoff delay", () => {
    const d = decide(
      input({
        job: { ...job, attempt: 1 },
        outcome: {
          kind: "ops",
          retriable: true,
          ops: [{ id: "h1", op: "StepError", error: { name: "Error", message: "bad" } }],
        },
      }),
    );
    expect(d.transition.steps).toBeUndefined();
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 2, version: 4 }, dueAt: NOW + 2000 }]);
  });

  it("retries a StepError at the retry-after time the SDK sent with it", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          retriable: true,
          retryAt: NOW + 45_000,
          ops: [{ id: "h1", op: "StepError", error: { name: "RetryAfterError", message: "later" } }],
        },
      }),
    );
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 1, version: 4 }, dueAt: NOW + 45_000 }]);
  });

  it("stores the error memo when a StepError arrives on the last attempt", () => {
    const d = decide(
      input({
        job: { ...job, attempt: 4 },
        outcome: {
          kind: "ops",
          retriable: true,
          ops: [{ id: "h1", op: "StepError", error: { name: "Error", message: "bad" } }],
        },
      }),
    );
    expect(d.transition.steps?.[0]?.value).toEqual({ error: { name: "Error", message: "bad" } });
    expect(d.transition.set.next?.[0]?.job).toMatchObject({ stepId: "step", attempt: 0, version: 4 });
  });

  it("stores StepFailed as an error memo and continues with discovery", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [{ id: "h1", op: "StepFailed", error: { name: "NonRetriableError", message: "no" } }],
        },
      }),
    );
    expect(d.transition.steps?.[0]?.value).toEqual({ error: { name: "NonRetriableError", message: "no" } });
    expect(d.transition.set.status).toBeUndefined();
  });

  it("fails the run at once on a non-retriable function error", () => {
    const err = { name: "NonRetriableError", message: "stop" };
    const d = decide(input({ outcome: { kind: "error", retriable: false, error: err } }));
    expect(d.transition.set).toMatchObject({ status: "Failed", error: err, next: [] });
  });

  it("retries a retriable function error at the SDK's retry-after time", () => {
    const d = decide(
      input({
        outcome: {
          kind: "error",
          retriable: true,
          error: { name: "Error", message: "x" },
          retryAt: NOW + 30_000,
        },
      }),
    );
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 1, version: 4 }, dueAt: NOW + 30_000 }]);
  });

  it("fails the run when retries are exhausted", () => {
    const d = decide(
      input({
        job: { ...job, attempt: 4 },
        outcome: { kind: "error", retriable: true, error: { name: "Error", message: "x" } },
      }),
    );
    expect(d.transition.set.status).toBe("Failed");
  });

  it("treats a transport failure as retriable", () => {
    const d = decide(input({ outcome: { kind: "transport", message: "ECONNREFUSED" } }));
    expect(d.transition.set.next?.[0]?.job.attempt).toBe(1);
  });

  it("runs a planned step as a targeted request", () => {
    const d = decide(input({ outcome: { kind: "ops", ops: [{ id: "h9", op: "StepPlanned", name: "b" }] } }));
    expect(d.transition.set.next).toEqual([
      { job: { ...job, stepId: "h9", attempt: 0, version: 4, partition: "01RUN~h9" } },
    ]);
  });

  it("fails the run with a clear message for step ops this version does not support", () => {
    const d = decide(input({ outcome: { kind: "ops", ops: [{ id: "h1", op: "Gateway", name: "x" }] } }));
    expect(d.transition.set.status).toBe("Failed");
    expect(d.transition.set.error?.message).toContain("Gateway is not supported");
  });

  it("makes the run wait on a pause for WaitForEvent, with no job and its timeout armed", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [
            { id: "h1", op: "WaitForEvent", name: "x/y", opts: { timeout: "1h", if: "async.data.n == 1" } },
          ],
        },
      }),
    );
    expect(d.transition.set.next).toEqual([]);
    const pause = d.transition.pauses?.put?.[0];
    expect(pause).toMatchObject({ kind: "wait", eventName: "x/y", stepId: "h1", expiresAt: NOW + 3_600_000 });
    expect(pause?.partition).toBe("EVT#x/y#data.n#n:1");
    expect(d.transition.set.pauses?.map((p) => p.pauseId)).toEqual([pause?.pauseId]);
    expect(d.transition.set.outbox?.timers).toEqual([
      {
        item: { kind: "pauseTimeout", runId: "01RUN", pause: d.transition.set.pauses?.[0] },
        dueAt: NOW + 3_600_000,
      },
    ]);
  });

  it("stores a sleep's null memo and schedules discovery at the wake time", () => {
    const d = decide(input({ outcome: { kind: "ops", ops: [{ id: "h1", op: "Sleep", name: "1h30m" }] } }));
    const wake = NOW + 90 * 60 * 1000;
    expect(d.transition.steps?.[0]).toMatchObject({ stepId: "h1", value: null, at: wake });
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 0, version: 4 }, dueAt: wake }]);
  });

  it("lets a signal wait without a timeout last a year, and an event wait without one expire at once", () => {
    const year = 365 * 24 * 3_600_000;
    const signal = decide(
      input({ outcome: { kind: "ops", ops: [{ id: "s1", op: "WaitForSignal", opts: { signal: "go" } }] } }),
    );
    expect(signal.transition.pauses?.put?.[0]).toMatchObject({
      kind: "signal",
      signal: "go",
      expiresAt: NOW + year,
    });
    const event = decide(
      input({ outcome: { kind: "ops", ops: [{ id: "w1", op: "WaitForEvent", name: "x/y" }] } }),
    );
    expect(event.transition.pauses?.put?.[0]).toMatchObject({ kind: "wait", expiresAt: NOW });
  });

  it("indexes a pinned value whose partition key is at most 2 KiB, and leaves a longer one unindexed", () => {
    const waitOn = (value: string) =>
      decide(
        input({
          outcome: {
            kind: "ops",
            ops: [
              {
                id: "w1",
                op: "WaitForEvent",
                name: "x/y",
                opts: { timeout: "1h", if: `async.data.id == "${value}"` },
              },
            ],
          },
        }),
      ).transition.pauses?.put?.[0];
    // "EVT#x/y#data.id#s:" is 18 bytes; "é" is 2 bytes in UTF-8 (the limit is in bytes).
    const fits = `${"é".repeat(1014)}ee`; // 18 + 2028 + 2 = 2048 bytes
    expect(waitOn(fits)).toMatchObject({ partition: `EVT#x/y#data.id#s:${fits}`, indexPath: "data.id" });
    const long = waitOn(`${"é".repeat(1014)}eee`);
    expect(long?.partition).toBe("EVT#x/y");
    expect(long?.indexPath).toBeUndefined();
  });

  it("fails the step of a wait on an event name too long to keep pauses for", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [{ id: "w1", op: "WaitForEvent", name: "é".repeat(1017), opts: { timeout: "1h" } }],
        },
      }),
    );
    expect(d.transition.pauses).toBeUndefined();
    expect(d.transition.steps?.[0]?.value).toMatchObject({
      error: { message: expect.stringContaining("the limit is 2032") },
    });
  });

  it("lets a wait last exactly 366 days, and fails the step of one a millisecond longer", () => {
    const waitUntil = (ms: number) =>
      decide(
        input({
          outcome: {
            kind: "ops",
            ops: [
              {
                id: "w1",
                op: "WaitForEvent",
                name: "x/y",
                opts: { timeout: new Date(NOW + ms).toISOString() },
              },
            ],
          },
        }),
      ).transition;
    const limit = 366 * 24 * 3_600_000;
    expect(waitUntil(limit).pauses?.put?.[0]?.expiresAt).toBe(NOW + limit);
    const over = waitUntil(limit + 1);
    expect(over.pauses).toBeUndefined();
    expect(over.steps?.[0]?.value).toEqual({
      error: { name: "Error", message: "waits may last at most one year" },
    });
  });

  it("fails a signal wait's step when another run holds the signal and the conflict mode is fail, not when it is replace", () => {
    const holder = {
      pauseId: "01OTHER:s1",
      partition: "SIG#go",
      kind: "signal" as const,
      signal: "go",
      stepId: "s1",
      createdAt: NOW - 1000,
      expiresAt: NOW + 60_000,
      runId: "01OTHER",
      fnSlug: "app-fn",
      triggerEventId: "01E",
    };
    const wait = (conflict: string, heldBy = holder) =>
      decide(
        input({
          signalHolders: new Map([["go", heldBy]]),
          outcome: {
            kind: "ops",
            ops: [{ id: "s1", op: "WaitForSignal", opts: { signal: "go", timeout: "1h", conflict } }],
          },
        }),
      ).transition;
    const failed = wait("fail");
    expect(failed.pauses).toBeUndefined();
    expect(failed.steps?.[0]?.value).toEqual({
      error: { name: "Error", message: 'signal "go" is already being waited on by run 01OTHER' },
    });
    expect(wait("replace").pauses?.put?.[0]).toMatchObject({ kind: "signal", signal: "go", runId: "01RUN" });
    expect(wait("fail", { ...holder, runId: "01RUN" }).pauses?.put).toHaveLength(1);
  });

  it("keeps a wait reported again as it was: same pause, no second timeout, no second invoke", () => {
    const live = {
      pauseId: "01RUN:h1",
      partition: "EVT#x/y",
      kind: "wait" as const,
      stepId: "h1",
      eventName: "x/y",
      createdAt: NOW - 5000,
      expiresAt: NOW + 60_000,
    };
    const invoke = { ...live, pauseId: "01RUN:h2", stepId: "h2", kind: "invoke" as const };
    for (const op of [
      { id: "h1", op: "WaitForEvent", name: "x/y", opts: { timeout: "1h" } },
      { id: "h2", op: "InvokeFunction", opts: { function_id: "app-child" } },
    ]) {
      const d = decide(
        input({ run: { ...run, pauses: [live, invoke] }, outcome: { kind: "ops", ops: [op] } }),
      );
      expect(d.transition.pauses).toBeUndefined();
      expect(d.transition.set.outbox).toEqual({});
      expect(d.transition.set.next).toEqual([]);
    }
  });

  it("rounds a sub-second sleep up to one second, for durations and instants alike", () => {
    for (const name of ["200ms", "999ms", "1s", new Date(NOW + 300).toISOString()]) {
      const d = decide(input({ outcome: { kind: "ops", ops: [{ id: "h1", op: "Sleep", name }] } }));
      expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 0, version: 4 }, dueAt: NOW + 1000 }]);
    }
  });

  it("keeps a sleep of a second and a millisecond as it is", () => {
    const d = decide(
      input({
        outcome: { kind: "ops", ops: [{ id: "h1", op: "Sleep", name: new Date(NOW + 1001).toISOString() }] },
      }),
    );
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 0, version: 4 }, dueAt: NOW + 1001 }]);
  });

  it("continues at once when a sleep's target is already past", () => {
    const d = decide(
      input({ outcome: { kind: "ops", ops: [{ id: "h1", op: "Sleep", name: "2001-01-01T00:00:00.000Z" }] } }),
    );
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 0, version: 4 } }]);
  });

  it("fails the run when it would exceed the step limit", () => {
    const d = decide(
      input({
        stack: Array.from({ length: 1000 }, (_, i) => `h${i}`),
        outcome: { kind: "ops", ops: [{ id: "x", op: "StepRun", data: 1 }] },
      }),
    );
    expect(d.transition.set.status).toBe("Failed");
    expect(d.transition.set.error?.message).toContain("step limit of 1000");
  });

  it("records a defer whose input is exactly 4 MiB and fails the run for one a byte larger", () => {
    const limit = 4 * 1024 * 1024;
    // {"p":"…"} is 8 bytes around the padding.
    const payload = (bytes: number) => ({ p: "x".repeat(bytes - 8) });
    const defer = (bytes: number) =>
      decide(
        input({
          outcome: {
            kind: "ops",
            ops: [
              { id: "d1", op: "DeferAdd", opts: { fn_slug: "app-later", input: payload(bytes) } },
              { id: "h1", op: "StepRun", data: 1 },
            ],
          },
        }),
      );
    expect(defer(limit).transition.set.defers?.d1?.fnSlug).toBe("app-later");
    const over = defer(limit + 1);
    expect(over.transition.set.status).toBe("Failed");
    expect(over.transition.set.error?.message).toBe(
      `defer input is ${limit + 1} bytes; the limit is ${limit}`,
    );
  });

  it("fails the run when a step output is larger than 4 MiB", () => {
    const d = decide(
      input({
        outcome: { kind: "ops", ops: [{ id: "x", op: "StepRun", data: "x".repeat(4 * 1024 * 1024) }] },
      }),
    );
    expect(d.transition.set.status).toBe("Failed");
    expect(d.transition.set.error?.message).toContain("the limit is 4194304");
  });

  it("rejects sleeps longer than a year", () => {
    const d = decide(input({ outcome: { kind: "ops", ops: [{ id: "h1", op: "Sleep", name: "400d" }] } }));
    expect(d.transition.set.error?.message).toContain("at most one year");
  });

  it("records lazy defer ops and applies the step result that came with them", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [
            { id: "d1", op: "DeferAdd", opts: { fn_slug: "x", input: { a: 1 } } },
            { id: "h1", op: "StepRun", data: 1 },
          ],
        },
      }),
    );
    expect(d.transition.steps?.map((s) => s.stepId)).toEqual(["h1"]);
    expect(d.transition.set.defers).toEqual({ d1: { fnSlug: "x", input: { a: 1 } } });
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 0, version: 4 } }]);
  });

  it("retries when an answer holds only lazy ops (nothing drives the run)", () => {
    const d = decide(input({ outcome: { kind: "ops", ops: [{ id: "d1", op: "DeferAbort" }] } }));
    expect(d.transition.steps).toBeUndefined();
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 1, version: 4 }, dueAt: NOW + 1000 }]);
  });

  it("stores every step result of one answer, in order, with one discovery after them", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [
            { id: "h1", op: "StepRun", data: 1 },
            { id: "h2", op: "StepFailed", error: { name: "Error", message: "x" } },
          ],
        },
      }),
    );
    expect(d.transition.steps?.map((s) => s.stepId)).toEqual(["h1", "h2"]);
    expect(d.transition.set.stack).toEqual(["a", "h1", "h2"]);
    expect(d.transition.set.next).toEqual([{ job: { ...job, attempt: 0, version: 4 } }]);
  });

  it("runs every planned step of a fan-out at once, each in a message group of its own", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [
            { id: "p1", op: "StepPlanned" },
            { id: "p2", op: "StepPlanned" },
          ],
        },
      }),
    );
    expect(d.transition.set.next).toEqual([
      { job: { ...job, stepId: "p1", attempt: 0, version: 4, partition: "01RUN~p1" } },
      { job: { ...job, stepId: "p2", attempt: 0, version: 4, partition: "01RUN~p2" } },
    ]);
  });

  it("stores a result and runs the planned step reported beside it", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [
            { id: "h1", op: "StepRun", data: 1 },
            { id: "p2", op: "StepPlanned" },
          ],
        },
      }),
    );
    expect(d.transition.steps?.map((s) => s.stepId)).toEqual(["h1"]);
    expect(d.transition.set.next).toEqual([
      { job: { ...job, stepId: "p2", attempt: 0, version: 4, partition: "01RUN~p2" } },
    ]);
  });

  it("records the step results that ride along a completion", () => {
    const d = decide(
      input({
        outcome: { kind: "complete", data: "done", ops: [{ id: "h1", op: "StepRun", data: 2 }] },
      }),
    );
    expect(d.transition.steps?.map((s) => s.stepId)).toEqual(["h1"]);
    expect(d.transition.set).toMatchObject({
      status: "Completed",
      output: "done",
      stack: ["a", "h1"],
      next: [],
    });
  });

  it("fails the run when one of several ops fails it", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [
            { id: "h1", op: "StepRun", data: 1 },
            { id: "w", op: "AIGateway" },
          ],
        },
      }),
    );
    expect(d.transition.set.status).toBe("Failed");
    expect(d.transition.set.error?.message).toContain("AIGateway is not supported");
  });

  it("keeps a retried StepError as a failed attempt of that step, at the job's version", () => {
    const d = decide(
      input({
        job: { ...job, stepId: "h1", attempt: 1 },
        outcome: {
          kind: "ops",
          ops: [{ id: "h1", op: "StepError", displayName: "charge", error: { name: "E", message: "nope" } }],
        },
      }),
    );
    expect(d.transition.steps).toBeUndefined();
    expect(d.transition.attempts).toEqual([
      {
        runId: "01RUN",
        stepId: "h1",
        name: "charge",
        attempt: 1,
        startedAt: NOW - 250,
        endedAt: NOW,
        version: 3,
        error: { name: "E", message: "nope" },
      },
    ]);
  });

  it("keeps a function-level error as a failed attempt of the function body, retried or final", () => {
    const error = { name: "Error", message: "boom" };
    const retried = decide(input({ outcome: { kind: "error", retriable: true, error } }));
    expect(retried.transition.attempts).toMatchObject([{ stepId: "step", attempt: 0, error }]);
    const last = decide(
      input({ job: { ...job, attempt: 4 }, outcome: { kind: "error", retriable: true, error } }),
    );
    expect(last.transition.set.status).toBe("Failed");
    expect(last.transition.attempts).toMatchObject([{ stepId: "step", attempt: 4, error }]);
  });

  it("keeps the metadata an op carries on its step result", () => {
    const d = decide(
      input({
        outcome: {
          kind: "ops",
          ops: [
            {
              id: "h1",
              op: "StepRun",
              data: 1,
              metadata: [{ kind: "userland.cost", scope: "step", op: "set", values: { usd: 0.5 } }],
            },
          ],
        },
      }),
    );
    expect(d.transition.steps?.[0]?.metadata).toEqual([
      { kind: "userland.cost", scope: "step", op: "set", values: { usd: 0.5 }, updatedAt: NOW },
    ]);
  });

  it("stamps every transition with the decision time", () => {
    expect(decide(input({ outcome: { kind: "complete", data: 1 } })).transition.at).toBe(NOW);
    expect(decide(input({ outcome: { kind: "transport", message: "x" } })).transition.at).toBe(NOW);
  });
});
