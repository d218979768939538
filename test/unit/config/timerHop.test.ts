import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../shared/config.js";
import { resourceEnvNames } from "../../../shared/resources.js";

/** Every resource address set, as the stack and `tideline dev` set them. */
const addresses = Object.fromEntries(resourceEnvNames().map((name) => [name, `x-${name.toLowerCase()}`]));

describe("TIDELINE_TIMER_QUEUE_MAX_DELAY_SECONDS", () => {
  it("defaults to SQS's 900 s and takes 1 and 900", () => {
    expect(loadConfig(addresses).timerQueueMaxDelaySeconds).toBe(900);
    for (const v of ["1", "900"]) {
      expect(
        loadConfig({ ...addresses, TIDELINE_TIMER_QUEUE_MAX_DELAY_SECONDS: v }).timerQueueMaxDelaySeconds,
      ).toBe(Number(v));
    }
  });

  it("refuses 0, 901 and a fraction, naming the variable", () => {
    for (const v of ["0", "901", "2.5"]) {
      const load = () => loadConfig({ ...addresses, TIDELINE_TIMER_QUEUE_MAX_DELAY_SECONDS: v });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/TIDELINE_TIMER_QUEUE_MAX_DELAY_SECONDS/);
    }
  });
});
