import { describe, expect, it } from "vitest";
import { stepOutcome } from "../../../../shared/core/observability/stepOutcome.js";

describe("a stored step value read back", () => {
  it("unwraps {data} and {error}", () => {
    expect(stepOutcome({ op: "StepRun", value: { data: { n: 1 } } })).toEqual({ data: { n: 1 } });
    expect(stepOutcome({ op: "StepFailed", value: { error: { name: "E", message: "m" } } })).toEqual({
      error: { name: "E", message: "m" },
    });
  });

  it("keeps a matched event whole (its data is part of it), but reads a failed wait's error", () => {
    const event = { name: "a/b", data: { id: 1 }, id: "e1", ts: 1, user: {} };
    expect(stepOutcome({ op: "WaitForEvent", value: event })).toEqual({ data: event });
    expect(stepOutcome({ op: "WaitForEvent", value: { error: { name: "InvalidExpression" } } })).toEqual({
      error: { name: "InvalidExpression" },
    });
  });

  it("gives anything else as stored: a sleep's or a timed-out wait's null, a bare value", () => {
    expect(stepOutcome({ op: "Sleep", value: null })).toEqual({ data: null });
    expect(stepOutcome({ op: "WaitForEvent", value: null })).toEqual({ data: null });
    expect(stepOutcome({ op: "StepRun", value: [1, 2] })).toEqual({ data: [1, 2] });
  });
});
