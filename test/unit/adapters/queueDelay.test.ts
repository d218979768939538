import { describe, expect, it } from "vitest";
import { MAX_SQS_DELAY_SECONDS, queueDelaySeconds } from "../../../shared/adapters/aws/TimerServiceAws.js";

describe("the timers queue's delay for a due time", () => {
  it("rounds to the nearest second: 1.499 s is 1 s, 1.5 s is 2 s", () => {
    expect(queueDelaySeconds(1499, MAX_SQS_DELAY_SECONDS)).toBe(1);
    expect(queueDelaySeconds(1500, MAX_SQS_DELAY_SECONDS)).toBe(2);
  });

  it("sends what is due or overdue at once", () => {
    expect(queueDelaySeconds(0, MAX_SQS_DELAY_SECONDS)).toBe(0);
    expect(queueDelaySeconds(-5000, MAX_SQS_DELAY_SECONDS)).toBe(0);
  });

  it("never asks for more than the hop allows", () => {
    expect(queueDelaySeconds(900_400, MAX_SQS_DELAY_SECONDS)).toBe(900);
    expect(queueDelaySeconds(7000, 5)).toBe(5);
  });
});
