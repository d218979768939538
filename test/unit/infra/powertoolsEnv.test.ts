/** Every function tells Powertools its service (the stack, the metrics' one dimension) and namespace. */
import { beforeAll, describe, expect, it } from "vitest";
import { METRICS_NAMESPACE } from "../../../shared/metrics.js";
import { FUNCTION_NAMES, resourceOf, type Synthesized, synthesize } from "./fixture.js";

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize({}, { bundle: false });
}, 60_000);

describe("TidelineFunction Powertools environment", () => {
  it.each(FUNCTION_NAMES)("names the stack as %s's service and Tideline's metrics namespace", (entry) => {
    const fn = resourceOf(synth, synth.stack.functions[entry].fn);

    expect(fn.Properties).toMatchObject({
      Environment: {
        Variables: { POWERTOOLS_SERVICE_NAME: "Tideline", POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
      },
    });
  });
});
