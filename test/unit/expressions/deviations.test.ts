/** Known deviations from Inngest's cel-go dialect, listed at the top of shared/core/expressions/index.ts. */
import { describe, expect, it } from "vitest";
import { evaluateBoolean, validateExpression } from "../../../shared/expressions/index.js";
import { parseDateString } from "../../../shared/expressions/inngestFunctions.js";

const event = { name: "e", data: { title: "ABC" } };
const match = (source: string) => evaluateBoolean(source, { event });

describe("deviations from cel-go", () => {
  it("answers has() on a missing field with false, so !has() is true (cel-go: unknown, so false)", () => {
    expect(match("has(event.data.nope)")).toBe(false);
    expect(match("!has(event.data.nope)")).toBe(true);
  });

  it("fails timestamp getters on an unknown value instead of answering false", () => {
    // cel-go: getHours(unknown) is false, so the negation is true; here the failure is unknown.
    expect(match("!event.data.nope.getHours()")).toBe(false);
  });

  it("rejects ordering literals of unrelated types at validation (cel-go fails at run time)", () => {
    expect(validateExpression("'a' < 1")).toMatch(/no such overload/);
  });

  it("parses only the common date layouts", () => {
    expect(parseDateString("02 Jan 06 15:04 MST")).toBeUndefined(); // RFC822
    expect(parseDateString("Mon Jan  2 15:04:05 2006")).toBeUndefined(); // ANSIC
  });

  it("uses JavaScript regular expressions, so RE2's inline flags are errors", () => {
    expect(match("event.data.title.matches('^A')")).toBe(true);
    expect(match("event.data.title.matches('(?i)abc')")).toBe(false);
  });
});
