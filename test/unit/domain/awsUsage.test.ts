/** The billing-unit boundaries of domain/awsUsage.ts, both sides of each. */
import { describe, expect, it } from "vitest";
import {
  addRunUsage,
  estimatedUnits,
  gbSeconds,
  kinesisPutUnits,
  NO_RUN_USAGE,
  NO_USAGE,
  sqsRequests,
} from "../../../shared/domain/awsUsage.js";

describe("billing units", () => {
  it("counts an SQS request per started 64 KB, at least one", () => {
    expect(sqsRequests(0)).toBe(1);
    expect(sqsRequests(64 * 1024)).toBe(1);
    expect(sqsRequests(64 * 1024 + 1)).toBe(2);
    expect(sqsRequests(128 * 1024)).toBe(2);
    expect(sqsRequests(128 * 1024 + 1)).toBe(3);
  });

  it("counts a Kinesis PUT unit per started 25 KB, at least one", () => {
    expect(kinesisPutUnits(1)).toBe(1);
    expect(kinesisPutUnits(50 * 1024)).toBe(2);
    expect(kinesisPutUnits(50 * 1024 + 1)).toBe(3);
  });

  it("prices strong reads twice eventual ones, and transactions twice single writes", () => {
    expect(estimatedUnits("GetItem", 1, true)).toEqual({ wru: 0, rru: 1 });
    expect(estimatedUnits("GetItem", 1, false)).toEqual({ wru: 0, rru: 0.5 });
    expect(estimatedUnits("TransactWriteItems", 3)).toEqual({ wru: 6, rru: 0 });
    expect(estimatedUnits("BatchWriteItem", 3)).toEqual({ wru: 3, rru: 0 });
    expect(estimatedUnits("ListTables", 1)).toEqual({ wru: 0, rru: 0 });
  });

  it("turns milliseconds at a memory size into GB-seconds", () => {
    expect(gbSeconds(1000, 1024)).toBe(1);
    expect(gbSeconds(500, 512)).toBe(0.25);
  });

  it("adds run usages field by field", () => {
    const one = { usage: { ...NO_USAGE, dynamoWru: 2, s3Gets: 1 }, calls: 3, jobs: 1, lambdaMs: 10 };
    expect(addRunUsage(addRunUsage(NO_RUN_USAGE, one), one)).toEqual({
      usage: { ...NO_USAGE, dynamoWru: 4, s3Gets: 2 },
      calls: 6,
      jobs: 2,
      lambdaMs: 20,
    });
  });
});
