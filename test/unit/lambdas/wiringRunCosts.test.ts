/**
 * The runCosts setting in the handlers' wiring: TIDELINE_RUN_COSTS=off leaves the executor, the
 * timer and the API without a usage store, so jobs make no usage write and `awsCost` is null.
 * Nothing is sent: the wiring only builds adapters.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { stubWiringEnv } from "../../helpers/wiringEnv.js";

beforeAll(() => {
  stubWiringEnv();
});

async function stores() {
  const { apiDeps, executorDeps, timerDeps } = await import("../../../lambdas/wiring.js");
  // Whether each has one (a store's own fields would only bury a failure's message).
  return {
    executor: (await executorDeps()).runUsage !== undefined,
    timer: (await timerDeps()).runUsage !== undefined,
    api: (await apiDeps()).runUsage !== undefined,
  };
}

describe("runCosts in the handlers' wiring", () => {
  it("gives the executor, the timer and the API a usage store by default", async () => {
    vi.stubEnv("TIDELINE_RUN_COSTS", undefined);
    expect(await stores()).toEqual({ executor: true, timer: true, api: true });
  });

  it("gives them none with TIDELINE_RUN_COSTS=off", async () => {
    vi.stubEnv("TIDELINE_RUN_COSTS", "off");
    expect(await stores()).toEqual({ executor: false, timer: false, api: false });
  });
});
