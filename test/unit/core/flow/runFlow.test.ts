import { describe, expect, it } from "vitest";
import { counterKey, priorityFactor, runFlow } from "../../../../shared/core/flow/runFlow.js";
import { makeEvent } from "../../../fixtures/records.js";

const event = (data: Record<string, unknown>) => makeEvent({ name: "a/b", data: data as never });

describe("a run's flow", () => {
  it.each([
    [600, 600],
    [601, 600],
    [-600, -600],
    [-601, -600],
    [0, 0],
    [12.5, 0],
    ["x", 0],
  ])("priority %s is a factor of %s seconds (clamped to ±600, integers only)", (boost, factor) => {
    expect(priorityFactor("event.data.boost", event({ boost }))).toBe(factor);
  });

  it("evaluates the concurrency keys once: fn limits are the function's, env and account ones shared by value", () => {
    const e = event({ tenant: "t1" });
    expect(counterKey("fn-a", { limit: 1, scope: "fn" }, e)).toBe("f:fn-a");
    const keyed = counterKey("fn-a", { limit: 1, scope: "fn", key: "event.data.tenant" }, e);
    expect(keyed).toMatch(/^f:fn-a:/);
    expect(counterKey("fn-b", { limit: 1, scope: "fn", key: "event.data.tenant" }, e)).not.toBe(keyed);
    const shared = counterKey("fn-a", { limit: 1, scope: "account", key: "event.data.tenant" }, e);
    expect(counterKey("fn-b", { limit: 1, scope: "account", key: "event.data.tenant" }, e)).toBe(shared);
    // A missing key is "false": every such run shares one bucket.
    const missing = counterKey("fn-a", { limit: 1, scope: "fn", key: "event.data.nope" }, event({}));
    expect(counterKey("fn-a", { limit: 1, scope: "fn", key: "event.data.other" }, event({}))).toBe(missing);
  });

  it("is none without a concurrency limit (nothing of the run ever waits)", () => {
    expect(runFlow({ slug: "f", config: { priority: { run: "1" } } }, event({}), 1000)).toBeUndefined();
    expect(runFlow({ slug: "f", config: { concurrency: 0 } }, event({}), 1000)).toBeUndefined();
    expect(
      runFlow({ slug: "f", config: { concurrency: 2, priority: { run: "30" } } }, event({}), 100_000),
    ).toEqual({
      limits: [{ key: "f:f", limit: 2 }],
      score: 70_000,
    });
  });
});
