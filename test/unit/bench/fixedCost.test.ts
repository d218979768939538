import { describe, expect, it } from "vitest";
import { idleCost, total } from "../../bench/fixedCost.js";

const none = {
  kinesis: [],
  alarmMetrics: [],
  dashboards: 0,
  secrets: 0,
  kmsKeys: 0,
  sqsMappings: [],
  recurring: [],
};
const line = (items: ReturnType<typeof idleCost>, prefix: string) =>
  items.find((l) => l.item.startsWith(prefix))?.monthly;

describe("idle cost", () => {
  it("prices an on-demand stream by the stream-hour and a provisioned one by the shard-hour", () => {
    expect(line(idleCost({ ...none, kinesis: [{ mode: "ON_DEMAND", shards: 0 }] }), "Kinesis")).toBeCloseTo(
      29.2,
    );
    expect(line(idleCost({ ...none, kinesis: [{ mode: "PROVISIONED", shards: 2 }] }), "Kinesis")).toBeCloseTo(
      21.9,
    );
  });

  it("prices alarms per metric, so a math alarm over two metrics costs two", () => {
    expect(line(idleCost({ ...none, alarmMetrics: [1, 1, 2] }), "CloudWatch alarms")).toBeCloseTo(0.4);
  });

  it("prices the mappings' empty polling: five 20-second long polls per mapping all month", () => {
    // 730 h × 3600 / 20 × 5 = 657,000 receives per mapping.
    expect(line(idleCost({ ...none, sqsMappings: [{ fifo: true }] }), "SQS")).toBeCloseTo(0.3285);
    expect(line(idleCost({ ...none, sqsMappings: [{ fifo: false }] }), "SQS")).toBeCloseTo(0.2628);
  });

  it("prices a 15-minute sweep by its runs and its index queries", () => {
    // 2,920 runs × $2.40 per 1M (invocation, 3 SQS requests, Lambda request) + 46,720 × 0.5 RRU.
    const cost = line(
      idleCost({ ...none, recurring: [{ periodSeconds: 900, queriesPerRun: 16 }] }),
      "Recurring",
    );
    expect(cost).toBeCloseTo(2920 * 2.4e-6 + 46_720 * 0.5 * 0.25e-6, 8);
  });

  it("adds secrets, keys and the dashboard into the total", () => {
    const lines = idleCost({ ...none, secrets: 2, kmsKeys: 1, dashboards: 1 });
    expect(total(lines)).toBeCloseTo(0.8 + 1 + 3);
  });
});
