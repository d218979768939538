import { describe, expect, it } from "vitest";
import { MAX_SQS_DELAY_SECONDS, queueDelaySeconds } from "../../../shared/adapters/aws/TimerServiceAws.js";

describe("the timers queue's delay for a due time", () => {
  it("rounds down to whole seconds, so a message never arrives late: 1.999 s is 1 s, 2 s is 2 s", () => {
    expect(queueDelaySeconds(1999, MAX_SQS_DELAY_SECONDS)).toBe(1);
    expect(queueDelaySeconds(2000, MAX_SQS_DELAY_SECONDS)).toBe(2);
    expect(queueDelaySeconds(999, MAX_SQS_DELAY_SECONDS)).toBe(0);
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
