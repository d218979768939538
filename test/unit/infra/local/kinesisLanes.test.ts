import type { KinesisStreamRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { earliestRetry, partitionLanes, retryFrom } from "../../../../infra/local/kinesisPoller.js";

function record(seq: number, key: string): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: key,
      sequenceNumber: String(seq),
      data: "",
      approximateArrivalTimestamp: 0,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `shard:${seq}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn",
    awsRegion: "us-east-1",
    eventSourceARN: "arn",
  };
}

describe("the local Kinesis mapping's parallelization factor", () => {
  const records = Array.from({ length: 200 }, (_, i) => record(i, `key-${i % 37}`));

  it("keeps one batch for a factor of 1", () => {
    expect(partitionLanes(records, 1)).toEqual([records]);
  });

  it("splits a read into at most `factor` lanes, each partition key in one lane, in order, none lost", () => {
    const lanes = partitionLanes(records, 10);
    expect(lanes.length).toBeGreaterThan(1);
    expect(lanes.length).toBeLessThanOrEqual(10);
    expect(
      lanes
        .flat()
        .map((r) => r.kinesis.sequenceNumber)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(records.map((r) => r.kinesis.sequenceNumber));
    const laneOfKey = new Map<string, number>();
    lanes.forEach((lane, i) => {
      const seqs = lane.map((r) => Number(r.kinesis.sequenceNumber));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      for (const r of lane) {
        expect(laneOfKey.get(r.kinesis.partitionKey) ?? i).toBe(i);
        laneOfKey.set(r.kinesis.partitionKey, i);
      }
    });
  });
});

describe("reading a shard again after its lanes ran", () => {
  it("goes on when every lane is done, and otherwise rereads from the earliest failure (numerically)", () => {
    expect(earliestRetry([undefined, undefined])).toBeUndefined();
    expect(earliestRetry(["900", undefined, "1000", "95"])).toBe("95");
    expect(earliestRetry(["49590338271490256608559692540925702759324208523137515618"])).toBe(
      "49590338271490256608559692540925702759324208523137515618",
    );
  });
});

describe("reading a lane again after its invocation", () => {
  const batch = [record(900, "a"), record(95, "b"), record(1000, "c")];
  const failed = (...ids: string[]) => ({
    batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })),
  });

  it("goes on after a success, and rereads from the earliest reported failure (numerically)", () => {
    expect(retryFrom(batch, undefined)).toBeUndefined();
    expect(retryFrom(batch, failed())).toBeUndefined();
    expect(retryFrom(batch, failed("1000", "95"))).toBe("95");
  });

  it("rereads the whole batch for a failure outside it or a response Lambda cannot read", () => {
    expect(retryFrom(batch, failed("95", "12"))).toBe("900");
    expect(retryFrom(batch, failed(""))).toBe("900");
    expect(retryFrom(batch, { batchItemFailures: "all" })).toBe("900");
  });
});
