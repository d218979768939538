import { describe, expect, it } from "vitest";
import { reportedFailures } from "../../../../infra/local/batchResponse.js";

describe("reportedFailures", () => {
  it("reads no response as every record succeeded", () => {
    expect(reportedFailures(undefined)).toEqual([]);
    expect(reportedFailures(null)).toEqual([]);
  });

  it("reads an empty failure list as every record succeeded", () => {
    expect(reportedFailures({ batchItemFailures: [] })).toEqual([]);
  });

  it("reads a response without batchItemFailures, or with a null list, as every record succeeded", () => {
    expect(reportedFailures({})).toEqual([]);
    expect(reportedFailures({ batchItemFailures: null })).toEqual([]);
    expect(reportedFailures({ statusCode: 200 })).toEqual([]);
  });

  it("lists the reported item ids in order", () => {
    const result = { batchItemFailures: [{ itemIdentifier: "m-2" }, { itemIdentifier: "m-1" }] };
    expect(reportedFailures(result)).toEqual(["m-2", "m-1"]);
  });

  it("gives undefined (the whole batch failed) for a malformed failure list", () => {
    expect(reportedFailures({ batchItemFailures: "x" })).toBeUndefined();
    expect(reportedFailures({ batchItemFailures: [{}] })).toBeUndefined();
    expect(reportedFailures({ batchItemFailures: [{ itemIdentifier: 5 }] })).toBeUndefined();
    expect(reportedFailures({ batchItemFailures: [null] })).toBeUndefined();
  });

  it("gives undefined for a response that is not an object", () => {
    expect(reportedFailures(42)).toBeUndefined();
    expect(reportedFailures("ok")).toBeUndefined();
    expect(reportedFailures(true)).toBeUndefined();
    expect(reportedFailures([])).toBeUndefined();
  });
});
