import { describe, expect, it } from "vitest";
import {
  addUsage,
  costOf,
  costPerMillionSteps,
  estimatedUnits,
  gbSeconds,
  itemBytes,
  kinesisPutUnits,
  NO_USAGE,
  transactionWru,
  US_EAST_1,
} from "../../bench/costModel.js";

describe("the benchmark's cost model", () => {
  it("prices each service at its us-east-1 list price", () => {
    const million = 1_000_000;
    const cost = costOf({
      ...NO_USAGE,
      dynamoWru: million,
      dynamoRru: million,
      sqsFifoRequests: million,
      sqsStandardRequests: million,
      kinesisPutUnits: million,
      lambdaRequests: million,
      lambdaGbSeconds: 1000,
      httpApiRequests: million,
      s3Puts: 1000,
      s3Gets: 1000,
      schedulerInvocations: million,
    });
    expect(cost.dynamodb).toBeCloseTo(1.25 + 0.25, 10);
    expect(cost.sqs).toBeCloseTo(0.5 + 0.4, 10);
    expect(cost.kinesis).toBeCloseTo(0.014, 10);
    expect(cost.lambdaRequests).toBeCloseTo(0.2, 10);
    expect(cost.lambdaDuration).toBeCloseTo(0.0166667, 10);
    expect(cost.httpApi).toBeCloseTo(1, 10);
    expect(cost.s3).toBeCloseTo(0.005 + 0.0004, 10);
    expect(cost.scheduler).toBeCloseTo(1, 10);
    expect(cost.total).toBeCloseTo(1.5 + 0.9 + 0.014 + 0.2 + 0.0166667 + 1 + 0.0054 + 1, 10);
  });

  it("costs nothing for no usage", () => {
    expect(costOf(NO_USAGE).total).toBe(0);
  });

  it("scales a run's cost to 1M steps", () => {
    // A 4-step run with 10 WRUs and 8 FIFO requests: per 1M steps, 2.5M WRUs and 2M requests.
    const usage = { ...NO_USAGE, dynamoWru: 10, sqsFifoRequests: 8 };
    const perM = costPerMillionSteps(usage, 4);
    expect(perM.dynamodb).toBeCloseTo(2.5 * 1.25, 10);
    expect(perM.sqs).toBeCloseTo(2 * 0.5, 10);
    expect(perM.total).toBeCloseTo(2.5 * 1.25 + 1, 10);
    expect(() => costPerMillionSteps(usage, 0)).toThrow();
  });

  it("takes other prices when given", () => {
    const cost = costOf({ ...NO_USAGE, dynamoWru: 2_000_000 }, { ...US_EAST_1, dynamoPerMillionWru: 0.625 });
    expect(cost.dynamodb).toBeCloseTo(1.25, 10);
  });

  it("converts Lambda duration to GB-seconds and record sizes to PUT payload units", () => {
    expect(gbSeconds(1000, 1024)).toBe(1);
    expect(gbSeconds(250, 512)).toBe(0.125);
    expect(kinesisPutUnits(0)).toBe(1);
    expect(kinesisPutUnits(25 * 1024)).toBe(1);
    expect(kinesisPutUnits(25 * 1024 + 1)).toBe(2);
  });

  it("estimates request units from item counts: 2 WRUs per transaction item", () => {
    expect(estimatedUnits("TransactWriteItems", 3)).toEqual({ wru: 6, rru: 0 });
    expect(estimatedUnits("TransactGetItems", 2)).toEqual({ wru: 0, rru: 4 });
    expect(estimatedUnits("PutItem", 1)).toEqual({ wru: 1, rru: 0 });
    expect(estimatedUnits("UpdateItem", 1)).toEqual({ wru: 1, rru: 0 });
    expect(estimatedUnits("BatchWriteItem", 25)).toEqual({ wru: 25, rru: 0 });
    expect(estimatedUnits("GetItem", 1)).toEqual({ wru: 0, rru: 0.5 });
    expect(estimatedUnits("GetItem", 1, true)).toEqual({ wru: 0, rru: 1 });
    expect(estimatedUnits("BatchGetItem", 4)).toEqual({ wru: 0, rru: 2 });
    expect(estimatedUnits("Query", 1, true)).toEqual({ wru: 0, rru: 1 });
    expect(estimatedUnits("DescribeTable", 1)).toEqual({ wru: 0, rru: 0 });
  });

  it("adds usages field by field", () => {
    expect(addUsage({ ...NO_USAGE, dynamoWru: 1 }, { dynamoWru: 2, lambdaRequests: 3 })).toEqual({
      ...NO_USAGE,
      dynamoWru: 3,
      lambdaRequests: 3,
    });
  });
});

describe("DynamoDB item sizes", () => {
  it("sizes names and values as DynamoDB does", () => {
    expect(itemBytes({ pk: { S: "abc" } })).toBe(2 + 3);
    expect(itemBytes({ s: { S: "é" } })).toBe(1 + 2);
    expect(itemBytes({ n: { N: "12345" } })).toBe(1 + 4);
    expect(itemBytes({ b: { B: Buffer.from("hello").toString("base64") } })).toBe(1 + 5);
    expect(itemBytes({ b: { B: new Uint8Array(7) } })).toBe(1 + 7);
    expect(itemBytes({ t: { BOOL: true }, z: { NULL: true } })).toBe(2 + 2);
    expect(itemBytes({ l: { L: [{ S: "ab" }, { S: "c" }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemBytes({ m: { M: { a: { S: "xy" } } } })).toBe(1 + 3 + (1 + 2 + 1));
    expect(itemBytes({ ss: { SS: ["a", "bc"] } })).toBe(2 + 3);
  });

  it("charges 2 WRUs per started KB of a transaction item", () => {
    expect(transactionWru(0)).toBe(2);
    expect(transactionWru(1024)).toBe(2);
    expect(transactionWru(1025)).toBe(4);
    expect(transactionWru(9000)).toBe(18);
  });
});
