import { describe, expect, it } from "vitest";
import { evaluateBoolean } from "../../../shared/expressions/index.js";

const event = {
  name: "app/order.created",
  id: "01HZX",
  ts: 1_700_000_000_000,
  data: {
    count: 10,
    amount: 10.5,
    ok: true,
    off: false,
    empty: "",
    zero: 0,
    nothing: null,
    plan: "pro",
    tags: ["a", "b"],
    items: [{ qty: 2 }, { qty: 1 }, {}],
    user: { plan: "pro", email: "a@example.com" },
  },
  user: {},
};

const match = (source: string, vars: { event?: unknown; async?: unknown } = { event }) =>
  evaluateBoolean(source, vars);

describe("missing attributes (Inngest's unknowns)", () => {
  it("treats a missing attribute as null when compared with ==", () => {
    expect(match("event.data.nope == 1")).toBe(false);
    expect(match("event.data.nope == 'x'")).toBe(false);
    expect(match("event.data.nope == null")).toBe(true);
    expect(match("null == event.data.nope")).toBe(true);
  });

  it("treats a missing attribute as not equal to anything but null", () => {
    expect(match("event.data.nope != 'x'")).toBe(true);
    expect(match("event.data.nope != null")).toBe(false);
  });

  it("orders a missing attribute below everything on the left and above on the right", () => {
    expect(match("event.data.nope < 1")).toBe(true);
    expect(match("event.data.nope <= -5")).toBe(true);
    expect(match("event.data.nope > 1")).toBe(false);
    expect(match("event.data.nope >= -5")).toBe(false);
    // cel-go answers by argument position: `x > unknown` is true.
    expect(match("event.data.count > event.data.nope")).toBe(true);
    expect(match("1 < event.data.nope")).toBe(false);
  });

  it("gives size 0 for a missing attribute", () => {
    expect(match("size(event.data.nope) == 0")).toBe(true);
    expect(match("event.data.nope.size() == 0")).toBe(true);
    expect(match("size(event.data.tags) == 2")).toBe(true);
  });

  it("answers false for other operators and functions on a missing attribute", () => {
    expect(match("'a' in event.data.nope")).toBe(false);
    expect(match("event.data.nope in ['a', 'b']")).toBe(false);
    expect(match("event.data.nope in ['a'] == false")).toBe(true);
    expect(match("event.data.nope.contains('x')")).toBe(false);
    expect(match("!event.data.nope.contains('x')")).toBe(true);
    expect(match("lowercase(event.data.nope) == false")).toBe(true);
    expect(match("(event.data.nope - 1) == false")).toBe(true);
  });

  it("keeps an expression that stays unknown false, even under !", () => {
    expect(match("event.data.nope")).toBe(false);
    expect(match("!event.data.nope")).toBe(false);
  });

  it("treats fields below a missing or null attribute as missing too", () => {
    expect(match("event.data.a.b.c == null")).toBe(true);
    expect(match("event.data.a.b.c == 'x'")).toBe(false);
    expect(match("event.data.nothing.b == 'x'")).toBe(false);
    expect(match("event.data.ok == true && event.data.nothing.b != 'x'")).toBe(true);
    expect(match("event.data.nope[0] == null")).toBe(true);
  });

  it("treats a missing event or async variable like an empty one", () => {
    expect(match("event.data.x == null", {})).toBe(true);
    expect(match("async.data.id == event.data.count")).toBe(false);
    expect(match("event.name == async.name", { event: {} })).toBe(false);
    expect(match("event.data.count == 1", { event: { name: "e", data: null } })).toBe(false);
  });

  it("reads attributes spelled with string indexes", () => {
    expect(match("event['data'].plan == 'pro' && event['data'].missing != true")).toBe(true);
  });

  it("fills a field named __proto__ as a plain key", () => {
    expect(match("event.data.__proto__ == null && event.data.count == 10")).toBe(true);
    expect(match("event.data.__proto__.count == 10")).toBe(false);
  });

  it("never mutates the caller's event", () => {
    const mine = { name: "e", data: { a: 1 } };
    expect(match("event.data.b.c == null && event.user.x == null", { event: mine })).toBe(true);
    expect(mine).toEqual({ name: "e", data: { a: 1 } });
  });
});

describe("failing operands behave like unknown ones", () => {
  it("treats an out-of-range index or a field of a string as unknown", () => {
    expect(match("event.data.tags[9] == null")).toBe(true);
    expect(match("event.data.tags[9] != 'a'")).toBe(true);
    expect(match("event.data.plan.x == 'y'")).toBe(false);
  });

  it("lets a comprehension skip items lacking the field", () => {
    expect(match("event.data.items.exists(i, i.qty > 1)")).toBe(true);
    expect(match("event.data.items.all(i, i.qty >= 1)")).toBe(false);
    expect(match("event.data.items.filter(i, has(i.qty)).size() == 2")).toBe(true);
  });
});

describe("null values", () => {
  it("compares null by equality only with null", () => {
    expect(match("event.data.nothing == null")).toBe(true);
    expect(match("event.data.nothing == 0")).toBe(false);
    expect(match("event.data.nothing != 0")).toBe(true);
    expect(match("event.data.plan == null")).toBe(false);
  });

  it("orders null as the other operand's zero value", () => {
    expect(match("null > 0")).toBe(false);
    expect(match("event.data.nothing < 1")).toBe(true);
    expect(match("event.data.nothing >= 0")).toBe(true);
    expect(match("event.data.amount > null && event.data.count > null")).toBe(true);
    expect(match("event.data.amount <= null || event.data.count < null")).toBe(false);
    expect(match("event.data.nothing < 'a'")).toBe(true);
  });

  it("does not give size 0 for a null value (only for a missing one)", () => {
    expect(match("size(event.data.nothing) > 0")).toBe(false);
    expect(match("size(event.data.nothing) == 0")).toBe(false);
  });
});

describe("numbers", () => {
  it("compares integer-valued JSON numbers with int and double literals", () => {
    expect(match("event.data.count == 10")).toBe(true);
    expect(match("event.data.count == 10.0")).toBe(true);
    expect(match("10 == event.data.count")).toBe(true);
    expect(match("event.data.count != 11")).toBe(true);
    expect(match("event.data.count in [5, 10]")).toBe(true);
    expect(match("event.data.count == 10u")).toBe(true);
  });

  it("orders ints, uints and doubles against each other", () => {
    expect(match("event.data.amount >= 10.5")).toBe(true);
    expect(match("event.data.amount > 10")).toBe(true);
    expect(match("event.data.count > 3.141 && event.data.amount <= 11")).toBe(true);
    expect(match("event.ts > 1600000000000")).toBe(true);
  });

  it("compares numeric literals of different types", () => {
    expect(match("10 == 10.0")).toBe(true);
    expect(match("1 == 1u")).toBe(true);
    expect(match("1 != 1.5")).toBe(true);
  });

  it("keeps equality across unrelated types false instead of failing", () => {
    expect(match("event.data.plan == 1")).toBe(false);
    expect(match("'1' == 1")).toBe(false);
    expect(match("size(event.data.tags) != '2'")).toBe(true);
  });
});

describe("mixed-type +", () => {
  it("concatenates a string and a number", () => {
    expect(match('"user-" + 123 == "user-123"')).toBe(true);
    expect(match("event.data.plan + '-' + event.data.count == 'pro-10'")).toBe(true);
    expect(match("'v' + 1.5 == 'v1.5'")).toBe(true);
  });

  it("concatenates a JSON number and an int literal, as cel-go does (doubles have no int +)", () => {
    expect(match("event.data.count + 1 == '101'")).toBe(true);
    expect(match("int(event.data.count) + 1 == 11")).toBe(true);
    expect(match("event.data.count + 1.0 == 11.0")).toBe(true);
  });

  it("keeps the other operand when one side is missing", () => {
    expect(match("event.data.plan + event.data.nope == 'pro'")).toBe(true);
    expect(match("event.data.nope + 5 == 5")).toBe(true);
  });
});

describe("&&, || and ?: with non-boolean operands", () => {
  it("uses plain CEL logic when both operands are booleans", () => {
    expect(match("event.data.ok || event.data.off")).toBe(true);
    expect(match("event.data.ok && event.data.off")).toBe(false);
    expect(match("event.data.off || event.data.off")).toBe(false);
  });

  it("applies JS-like truthiness to other operands", () => {
    expect(match("event.data.nope || event.data.ok")).toBe(true);
    expect(match("event.data.plan && event.data.ok")).toBe(true);
    expect(match("event.data.empty && event.data.ok")).toBe(false);
    expect(match("event.data.zero || event.data.off")).toBe(false);
    expect(match("event.data.nothing || event.data.ok")).toBe(true);
  });

  it("lets an error on one side be absorbed as falsy", () => {
    expect(match("event.data.tags[9].x == 1 || event.data.ok")).toBe(true);
    expect(match("event.data.off && event.data.tags[9]")).toBe(false);
  });

  it("is false when the value picked is not a boolean", () => {
    expect(match("event.data.ok && event.data.plan")).toBe(false);
  });

  it("tests a ?: condition for truthiness", () => {
    expect(match("(event.data.plan ? 1 : 2) == 1")).toBe(true);
    expect(match("(event.data.nope ? 1 : 2) == 2")).toBe(true);
    expect(match("event.data.empty ? false : true")).toBe(true);
  });
});

describe("has()", () => {
  it("is true for present fields, null ones included", () => {
    expect(match("has(event.data.plan)")).toBe(true);
    expect(match("has(event.data.nothing)")).toBe(true);
  });

  it("is false for a missing field even when the field is also compared elsewhere", () => {
    expect(match("has(event.data.x)")).toBe(false);
    expect(match("has(event.data.x) || event.data.x == null")).toBe(true);
    expect(match("has(event.data.x) && event.data.x == null")).toBe(false);
  });

  it("is true under ! for a missing field (standard CEL; see the deviations in index.ts)", () => {
    expect(match("!has(event.data.x)")).toBe(true);
    expect(match("!has(event.data.a.b)")).toBe(true);
  });

  it("combines with a truthy check as in Inngest's own tests", () => {
    const expr =
      "!((has(event.data.a) && event.data.a) || (has(event.data.b) && event.data.b) || (has(event.data.c) && event.data.c))";
    expect(match(expr, { event: { data: { a: false, b: false, c: false } } })).toBe(true);
    expect(match(expr, { event: { data: { a: true, b: false, c: false } } })).toBe(false);
  });
});

describe("boolean results", () => {
  it("is false for a non-boolean result", () => {
    expect(match("event.data.plan")).toBe(false);
    expect(match("event.data.count")).toBe(false);
  });

  it("is false for an invalid expression", () => {
    expect(match("event.data.x ==")).toBe(false);
    expect(match("nope(1)")).toBe(false);
  });
});
