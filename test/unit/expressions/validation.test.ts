import { describe, expect, it } from "vitest";
import {
  compileExpression,
  EXPRESSION_CACHE_SIZE,
  expressionCacheSize,
} from "../../../shared/expressions/compile.js";
import { evaluateBoolean, validateExpression } from "../../../shared/expressions/index.js";

describe("validateExpression", () => {
  it("accepts the expressions SDK configs send", () => {
    for (const source of [
      "event.data.ok == true",
      'event.data.user.plan == "pro" && event.data.amount > 100',
      "event.data.function_id == 'app-fn'",
      'event.name == "a/b"',
      "has(event.data.x)",
      '"x" in event.data.tags',
      "event.data.items.exists(i, i.qty > 1)",
      "event.data.amount >= 10.5",
      "event.data.userId == async.data.userId",
      "\n  int(event.status) >= 400 &&\n  event.error == true\n",
      "[1, 'a', null].size() == 3",
      '"user-" + 123',
      "event.data.a || event.data.b",
    ]) {
      expect(validateExpression(source), source).toBeUndefined();
    }
  });

  it("reports a syntax error with its column", () => {
    expect(validateExpression("event.data.x ==")).toBe("Unexpected token: EOF at column 16");
    expect(validateExpression("event.data.x = 1")).toBe("Unexpected character: = at column 14");
    expect(validateExpression("'abc")).toBe("Unterminated string at column 1");
  });

  it("reports the line and column in a multi-line expression", () => {
    expect(validateExpression("event.data.a == 1 &&\n  (event.data.b")).toBe(
      "Expected RPAREN, got EOF at line 2, column 16",
    );
  });

  it("reports an unknown function by name", () => {
    expect(validateExpression("foo(event.data.x)")).toBe("unknown function 'foo' at column 1");
    expect(validateExpression("event.data.x == 1 && bar()")).toBe("unknown function 'bar' at column 22");
  });

  it("rejects CEL extension functions that Inngest's cel-go environment lacks", () => {
    expect(validateExpression("event.data.s.substring(1) == 'x'")).toMatch(/^unknown function 'substring'/);
    expect(validateExpression("event.data.s.split(',').size() > 1")).toMatch(/^unknown function 'split'/);
    expect(validateExpression("cel.bind(x, 1, x == 1)")).toMatch(/^unknown function 'bind'/);
    expect(validateExpression("event.data.s.lowercase() == 'x'")).toMatch(/^unknown function 'lowercase'/);
  });

  it("does not let users call the internal macros", () => {
    expect(validateExpression("__or(true, false)")).toMatch(/^unknown function '__or'/);
    expect(validateExpression("__try(event.data.x)")).toMatch(/^unknown function '__try'/);
  });

  it("reports an undeclared variable and a wrong argument type", () => {
    expect(validateExpression("x == 1")).toBe("Unknown variable: x at column 1");
    expect(validateExpression("lowercase(1) == 'x'")).toMatch(/no matching overload for 'lowercase\(int\)'/);
    expect(validateExpression("event.data.x && 'a'")).toMatch(/Logical operator requires bool operands/);
  });

  it("rejects an empty expression", () => {
    expect(validateExpression("")).toBe("Unexpected token: EOF at column 1");
    expect(validateExpression("   ")).toBeDefined();
  });

  it("returns single-line messages", () => {
    for (const source of ["1 +", "foo(1)", "x", "a.b.c("]) {
      expect(validateExpression(source)).not.toContain("\n");
    }
  });
});

describe("compiled expression cache", () => {
  it("compiles a source once and reuses it", () => {
    const source = "event.data.cache_reuse == 1";
    const first = compileExpression(source);
    expect(compileExpression(source)).toBe(first);
    expect(evaluateBoolean(source, { event: { data: { cache_reuse: 1 } } })).toBe(true);
    expect(evaluateBoolean(source, { event: { data: { cache_reuse: 2 } } })).toBe(false);
  });

  it("caches invalid expressions as well", () => {
    const first = compileExpression("event.data.cache_bad ==");
    expect(first.ok).toBe(false);
    expect(compileExpression("event.data.cache_bad ==")).toBe(first);
  });

  it("stays bounded, evicting the least recently used entry", () => {
    const kept = compileExpression("event.data.kept == 1");
    const dropped = compileExpression("event.data.dropped == 1");
    for (let i = 0; i < EXPRESSION_CACHE_SIZE + 50; i++) {
      compileExpression(`event.data.n == ${i}`);
      if (i % 100 === 0) compileExpression("event.data.kept == 1"); // keep it recent
    }
    expect(expressionCacheSize()).toBe(EXPRESSION_CACHE_SIZE);
    expect(compileExpression("event.data.kept == 1")).toBe(kept);
    const recompiled = compileExpression("event.data.dropped == 1");
    expect(recompiled).not.toBe(dropped);
    expect(recompiled.ok).toBe(true);
  });
});
