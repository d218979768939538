import { parse } from "@marcbachmann/cel-js";
import { describe, expect, it } from "vitest";
import { evaluateBoolean, evaluateKey } from "../../../shared/expressions/index.js";
import { analyse, type PathTrie } from "../../../shared/expressions/rewrite.js";

const truthy = (source: string) => evaluateBoolean(source, { event: { data: {} } });

function flatten(trie: PathTrie, prefix: string[] = []): string[] {
  return [...trie].flatMap(([k, sub]) => [[...prefix, k].join("."), ...flatten(sub, [...prefix, k])]);
}

describe("source rewriting", () => {
  it("keeps operator precedence", () => {
    expect(truthy("1 + 2 * 3 == 7")).toBe(true);
    expect(truthy("(1 + 2) * 3 == 9")).toBe(true);
    expect(truthy("-(1 + 2) == -3")).toBe(true);
    expect(truthy("!(true && false)")).toBe(true);
    expect(truthy("true || false && false")).toBe(true);
    expect(truthy("(true || false) && false")).toBe(false);
    expect(truthy("10 - 4 - 3 == 3")).toBe(true);
  });

  it("copies literals verbatim", () => {
    expect(evaluateKey("r'a\\nb'", {})).toBe("a\\nb");
    expect(evaluateKey("'tab\\there'", {})).toBe("tab\there");
    expect(evaluateKey('"""multi\nline"""', {})).toBe("multi\nline");
    expect(evaluateKey("0x1F", {})).toBe("31");
    expect(evaluateKey("-9223372036854775808", {})).toBe("-9223372036854775808");
    expect(evaluateKey("0.1 + 0.2", {})).toBe("0.30000000000000004");
    expect(evaluateKey("1e3 + 0.5", {})).toBe("1000.5");
    expect(evaluateKey("b'\\x01\\x02'", {})).toBe("[1 2]");
  });

  it("keeps receivers of method calls on numbers unambiguous", () => {
    expect(truthy("string(1.5).size() == 3")).toBe(true);
  });

  it("collects the referenced event, async and vars paths", () => {
    const analysis = analyse(
      parse("event.data.a.b == async.data['id'] && has(event.user.x) && items.exists(i, i.q > 1)").ast,
    );
    expect(flatten(analysis.paths)).toEqual([
      "event",
      "event.data",
      "event.data.a",
      "event.data.a.b",
      "event.user",
      "event.user.x",
      "async",
      "async.data",
      "async.data.id",
    ]);
  });

  it("reports the first call outside the allowed functions", () => {
    expect(analyse(parse("a.substring(1) == b.indexOf('x')").ast).unknownCall).toEqual({
      name: "substring",
      start: 0,
    });
    expect(analyse(parse("lowercase(a) == 'x'").ast).unknownCall).toBeUndefined();
  });
});
