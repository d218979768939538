import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import {
  cancellationCodes,
  failedConditions,
  isConditionalCheckFailed,
} from "../../../shared/adapters/aws/dynamo.js";

const NAMES = ["run", "idempotency", "pause"] as const;

/** A TransactionCanceledException as the SDK throws it (plain object: no AWS call is made). */
function cancelled(...codes: (string | undefined)[]) {
  return {
    name: "TransactionCanceledException",
    message: "Transaction cancelled",
    CancellationReasons: codes.map((Code) => (Code === undefined ? {} : { Code })),
  };
}

describe("cancellationCodes", () => {
  it("lists the code of each reason by its position in the transaction", () => {
    expect(cancellationCodes(cancelled("ConditionalCheckFailed", "None"))).toEqual([
      "ConditionalCheckFailed",
      "None",
    ]);
  });

  it("gives undefined for a reason without a code", () => {
    expect(cancellationCodes(cancelled(undefined, "ConditionalCheckFailed"))).toEqual([
      undefined,
      "ConditionalCheckFailed",
    ]);
    const odd = { name: "TransactionCanceledException", CancellationReasons: [null, 7, { Code: 3 }] };
    expect(cancellationCodes(odd)).toEqual([undefined, undefined, undefined]);
  });

  it("gives an empty list for a cancellation without reasons", () => {
    expect(cancellationCodes({ name: "TransactionCanceledException" })).toEqual([]);
    expect(cancellationCodes({ name: "TransactionCanceledException", CancellationReasons: "x" })).toEqual([]);
  });

  it("gives undefined for any other error", () => {
    expect(cancellationCodes({ name: "ValidationException", CancellationReasons: [{ Code: "None" }] })).toBe(
      undefined,
    );
    expect(cancellationCodes(new Error("boom"))).toBeUndefined();
    expect(cancellationCodes(undefined)).toBeUndefined();
    expect(cancellationCodes(null)).toBeUndefined();
    expect(cancellationCodes("TransactionCanceledException")).toBeUndefined();
  });
});

describe("failedConditions: a lost race", () => {
  it("names the items whose condition failed", () => {
    expect(failedConditions(cancelled("ConditionalCheckFailed", "None"), NAMES)).toEqual(new Set(["run"]));
  });

  it("names every item whose condition failed", () => {
    const err = cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed");
    expect(failedConditions(err, NAMES)).toEqual(new Set(["run", "pause"]));
  });

  it("skips reasons without a code", () => {
    expect(failedConditions(cancelled(undefined, "ConditionalCheckFailed"), NAMES)).toEqual(
      new Set(["idempotency"]),
    );
  });

  it("reads the SDK's own TransactionCanceledException", () => {
    const err = new TransactionCanceledException({
      message: "Transaction cancelled, please refer cancellation reasons for specific reasons",
      $metadata: {},
      CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }],
    });
    expect(failedConditions(err, NAMES)).toEqual(new Set(["idempotency"]));
  });
});

describe("failedConditions: a failure to retry", () => {
  it("gives undefined for a transaction conflict, which is not a lost race", () => {
    expect(failedConditions(cancelled("None", "TransactionConflict"), NAMES)).toBeUndefined();
  });

  it("gives undefined when a failed condition comes with a conflict", () => {
    expect(
      failedConditions(cancelled("ConditionalCheckFailed", "TransactionConflict"), NAMES),
    ).toBeUndefined();
    expect(
      failedConditions(cancelled("TransactionConflict", "ConditionalCheckFailed"), NAMES),
    ).toBeUndefined();
  });

  it("gives undefined for throttling among the reasons", () => {
    expect(failedConditions(cancelled("ConditionalCheckFailed", "ThrottlingError"), NAMES)).toBeUndefined();
    expect(failedConditions(cancelled("None", "ThrottlingError"), NAMES)).toBeUndefined();
  });

  it("gives undefined for a failed condition at a position that has no name", () => {
    expect(
      failedConditions(cancelled("None", "None", "None", "ConditionalCheckFailed"), NAMES),
    ).toBeUndefined();
    expect(failedConditions(cancelled("ConditionalCheckFailed"), [])).toBeUndefined();
    // A named failure does not make up for the unnamed one: the outcome cannot be reported.
    const mixed = cancelled("ConditionalCheckFailed", "None", "None", "ConditionalCheckFailed");
    expect(failedConditions(mixed, NAMES)).toBeUndefined();
  });

  it("gives undefined when no reason names a failure", () => {
    expect(failedConditions(cancelled("None", "None"), NAMES)).toBeUndefined();
    expect(failedConditions(cancelled(undefined), NAMES)).toBeUndefined();
  });

  it("gives undefined for a cancellation without reasons", () => {
    expect(failedConditions({ name: "TransactionCanceledException" }, NAMES)).toBeUndefined();
    expect(failedConditions(cancelled(), NAMES)).toBeUndefined();
  });

  it("gives undefined for any other error name", () => {
    const other = {
      name: "ConditionalCheckFailedException",
      CancellationReasons: [{ Code: "ConditionalCheckFailed" }],
    };
    expect(failedConditions(other, NAMES)).toBeUndefined();
    expect(failedConditions(new Error("ConditionalCheckFailed"), NAMES)).toBeUndefined();
    expect(failedConditions(undefined, NAMES)).toBeUndefined();
  });
});

describe("isConditionalCheckFailed", () => {
  it("recognises the single-item failed condition", () => {
    expect(isConditionalCheckFailed({ name: "ConditionalCheckFailedException" })).toBe(true);
    const err = new ConditionalCheckFailedException({
      message: "The conditional request failed",
      $metadata: {},
    });
    expect(isConditionalCheckFailed(err)).toBe(true);
  });

  it("does not take a cancelled transaction or any other error for one", () => {
    expect(isConditionalCheckFailed(cancelled("ConditionalCheckFailed"))).toBe(false);
    expect(isConditionalCheckFailed({ name: "ConditionalCheckFailed" })).toBe(false);
    expect(isConditionalCheckFailed(new Error("ConditionalCheckFailedException"))).toBe(false);
    expect(isConditionalCheckFailed({ name: 1 })).toBe(false);
    expect(isConditionalCheckFailed(null)).toBe(false);
    expect(isConditionalCheckFailed("ConditionalCheckFailedException")).toBe(false);
  });
});
