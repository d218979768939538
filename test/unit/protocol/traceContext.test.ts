import { describe, expect, it } from "vitest";
import { runTraceId, traceParent, traceState } from "../../../shared/protocol/traceContext.js";

describe("trace context sent with execution requests", () => {
  it("gives every request of a run the run's trace id and its own sampled span id", () => {
    const a = traceParent("01RUN", "job-1");
    const b = traceParent("01RUN", "job-2");
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(a.split("-")[1]).toBe(runTraceId("01RUN"));
    expect(b.split("-")[1]).toBe(runTraceId("01RUN"));
    expect(a.split("-")[2]).not.toBe(b.split("-")[2]);
    expect(traceParent("01RUN", "job-1")).toBe(a);
    expect(runTraceId("01OTHER")).not.toBe(runTraceId("01RUN"));
  });

  it("names the app and function in tracestate, keeping the list's separators out of the values", () => {
    expect(traceState("my-app", "fn-uuid")).toBe("inngest@app=my-app,inngest@fn=fn-uuid");
    expect(traceState("a,b=c", "f")).toBe("inngest@app=a_b_c,inngest@fn=f");
  });
});
