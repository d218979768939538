/** POST /v1/signals over the memory ports: resuming the run that waits in step.waitForSignal. */
import { beforeEach, describe, expect, it } from "vitest";
import { runIdAnswerSchema } from "../../../shared/core/api/rest/schemas.js";
import { T0 } from "../../fixtures/records.js";
import { type Harness, harness, waitingOnSignal } from "./restHarness.js";

const MIN = 60_000;
let h: Harness;

beforeEach(() => {
  h = harness(); // the clock reads T0 + 1 min
});

const waiting = (signal: string, expiresAt?: number) => waitingOnSignal(h, signal, expiresAt);

describe("POST /v1/signals", () => {
  it("resumes the waiting run with {signal, data} and answers its run id", async () => {
    const run = await waiting("order-42");
    const res = await h.call("POST", "/v1/signals", { body: { signal: "order-42", data: { ok: true } } });
    expect(res.status).toBe(200);
    const answer = runIdAnswerSchema.parse(res.body);
    expect(answer.data.run_id).toBe(run.runId);
    expect(answer.metadata.fetched_at).toBe(new Date(T0 + MIN).toISOString());
    expect(await h.ports.runs.getStep(run.runId, "wait")).toMatchObject({
      value: { data: { signal: "order-42", data: { ok: true } } },
      op: "WaitForSignal",
    });
    const after = await h.ports.runs.getRun(run.runId);
    expect(after?.pauses).toEqual([]);
    expect(after?.stack).toEqual(["wait"]);
    expect(h.ports.work.sent().some((j) => j.runId === run.runId)).toBe(true);
    expect(h.ports.pauses.all()).toEqual([]);
  });

  it("stores null as the data when the body has none", async () => {
    const run = await waiting("no-data");
    expect((await h.call("POST", "/v1/signals", { body: { signal: "no-data" } })).status).toBe(200);
    expect((await h.ports.runs.getStep(run.runId, "wait"))?.value).toEqual({
      data: { signal: "no-data", data: null },
    });
  });

  it("answers 404 when no run waits on the signal, and for a signal already taken", async () => {
    const unknown = await h.call("POST", "/v1/signals", { body: { signal: "nobody" } });
    expect(unknown).toMatchObject({ status: 404, body: { status: 404 } });
    expect(JSON.stringify(unknown.body)).toContain("nobody");

    await waiting("once");
    expect((await h.call("POST", "/v1/signals", { body: { signal: "once" } })).status).toBe(200);
    expect((await h.call("POST", "/v1/signals", { body: { signal: "once" } })).status).toBe(404);
  });

  it("answers 404 for a wait that expired, leaving the run to its timeout", async () => {
    const run = await waiting("late", T0 + MIN);
    expect((await h.call("POST", "/v1/signals", { body: { signal: "late" } })).status).toBe(404);
    expect(await h.ports.runs.getStep(run.runId, "wait")).toBeUndefined();
  });

  it("answers 404 when the waiting run ended meanwhile (its pause is gone from the run)", async () => {
    const run = await waiting("ended");
    await h.ports.runs.commitTransition(run.runId, 1, { set: { status: "Cancelled", endedAt: T0 }, at: T0 });
    expect((await h.call("POST", "/v1/signals", { body: { signal: "ended" } })).status).toBe(404);
  });

  it("answers 400 for a missing, empty or non-string signal, or a body that is not JSON", async () => {
    for (const body of [{}, { signal: "" }, { signal: 5 }, { data: 1 }, "{", "[1]"]) {
      const res = await h.call("POST", "/v1/signals", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const missing = await h.call("POST", "/v1/signals", { body: {} });
    expect(JSON.stringify(missing.body)).toContain("signal: is required");
  });

  it("takes a payload larger than the small option bodies of other routes", async () => {
    const run = await waiting("big");
    const data = "x".repeat(100 * 1024);
    expect((await h.call("POST", "/v1/signals", { body: { signal: "big", data } })).status).toBe(200);
    expect((await h.ports.runs.getStep(run.runId, "wait"))?.value).toEqual({ data: { signal: "big", data } });
  });

  it("takes a body of exactly 4 MiB and answers 413 for one a byte larger", async () => {
    const limit = 4 * 1024 * 1024;
    const bodyOf = (bytes: number) => {
      const bare = JSON.stringify({ signal: "edge", data: "" }).length;
      return { signal: "edge", data: "x".repeat(bytes - bare) };
    };
    await waiting("edge");
    expect((await h.call("POST", "/v1/signals", { body: bodyOf(limit + 1) })).status).toBe(413);
    expect((await h.call("POST", "/v1/signals", { body: bodyOf(limit) })).status).toBe(200);
  });
});
