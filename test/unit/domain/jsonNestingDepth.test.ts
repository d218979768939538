import { describe, expect, it } from "vitest";
import { jsonNestingDepth } from "../../../shared/domain/json.js";

/** `n` arrays, each directly inside the previous one: `[[[...]]]`. */
const arrays = (n: number): string => "[".repeat(n) + "]".repeat(n);

describe("jsonNestingDepth: containers", () => {
  it("counts scalars and an empty text as zero levels", () => {
    expect(jsonNestingDepth("1")).toBe(0);
    expect(jsonNestingDepth("null")).toBe(0);
    expect(jsonNestingDepth("true")).toBe(0);
    expect(jsonNestingDepth('"text"')).toBe(0);
    expect(jsonNestingDepth("")).toBe(0);
  });

  it("counts an empty object and an empty array as one level", () => {
    expect(jsonNestingDepth("{}")).toBe(1);
    expect(jsonNestingDepth("[]")).toBe(1);
  });

  it("counts an array inside an array as two levels", () => {
    expect(jsonNestingDepth("[[]]")).toBe(2);
  });

  it("counts objects and arrays alike when they nest in each other", () => {
    expect(jsonNestingDepth('{"a":[1]}')).toBe(2);
    expect(jsonNestingDepth('[{"a":{"b":[]}}]')).toBe(4);
  });

  it("reports the deepest branch, not the sum of siblings", () => {
    expect(jsonNestingDepth("[[],[],{}]")).toBe(2);
    expect(jsonNestingDepth('[[[]],{"a":1}]')).toBe(3);
    expect(jsonNestingDepth('[{"a":1},[[[]]]]')).toBe(4);
  });

  it("ignores whitespace between tokens", () => {
    expect(jsonNestingDepth(' [ \n { "a" : [ ] } \t ] ')).toBe(3);
  });

  it("counts a document nested 100,000 deep without overflowing the stack", () => {
    expect(jsonNestingDepth(arrays(100_000))).toBe(100_000);
  });
});

describe("jsonNestingDepth: strings", () => {
  it("does not count brackets inside strings", () => {
    expect(jsonNestingDepth('"[[[{{{"')).toBe(0);
    expect(jsonNestingDepth('{"a":"[[[[","b":"}}}]]]"}')).toBe(1);
    expect(jsonNestingDepth('{"[[[":1}')).toBe(1);
  });

  it("does not count closing brackets inside strings as leaving a level", () => {
    // If the `]]` inside the string closed levels, the later `[[]]` would reach only depth 2.
    expect(jsonNestingDepth('[["]]",[[]]]]')).toBe(4);
  });

  it("keeps a string open after an escaped quote", () => {
    // JSON text: "a\"[["  — one string, so the brackets are text.
    expect(jsonNestingDepth(String.raw`"a\"[["`)).toBe(0);
    expect(jsonNestingDepth(String.raw`["a\"[[",1]`)).toBe(1);
  });

  it("ends a string at a quote that follows an escaped backslash", () => {
    // JSON text: ["a\\",[1]]  — the string is a\ and the bracket after it is structure.
    expect(jsonNestingDepth(String.raw`["a\\",[1]]`)).toBe(2);
    expect(jsonNestingDepth(String.raw`"a\\"[`)).toBe(1);
  });

  it("treats every escape as two characters, so a backslash-u escape does not end the string", () => {
    expect(jsonNestingDepth(String.raw`["\u005b\"[", [[]]]`)).toBe(3);
  });
});
