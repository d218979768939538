import { describe, expect, it } from "vitest";
import { evaluateBoolean } from "../../../shared/expressions/index.js";
import {
  indexKey,
  type PreparedPause,
  pauseMatches,
  preparePause,
  valueAt,
} from "../../../shared/expressions/pauseExpression.js";

const trigger = {
  name: "shop/order.created",
  id: "01HZX",
  ts: 1_700_000_000_000,
  data: { id: "ord_1", userId: "u_1", amount: 42, ok: true, nothing: null, nested: { a: 1, b: 2 } },
  user: {},
};

function prepare(source: string | undefined, event: unknown = trigger): PreparedPause {
  const result = preparePause(source, event);
  if (!result.ok) throw new Error(result.error);
  return result.pause;
}

const indexOf = (source: string, event: unknown = trigger) => prepare(source, event).index;

describe("preparePause", () => {
  it("treats a missing or blank expression as matching everything, with an empty event", () => {
    for (const source of [undefined, "", "  "]) {
      const pause = prepare(source);
      expect(pause).toEqual({ source: "true", event: {} });
      expect(pauseMatches(pause, { name: "x", data: {} })).toBe(true);
    }
  });

  it("rejects an invalid expression with the compile error", () => {
    const result = preparePause("async.data.id ==", trigger);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/invalid pause expression: .*column/);
    expect(preparePause("nope(async.data.id)", trigger)).toMatchObject({
      ok: false,
      error: expect.stringContaining("unknown function 'nope'"),
    });
  });

  it("keeps only the referenced parts of the trigger that exist", () => {
    const pause = prepare("event.data.id == async.data.id && event.data.missing.x == null");
    expect(pause.source).toBe("event.data.id == async.data.id && event.data.missing.x == null");
    expect(pause.event).toEqual({ data: { id: "ord_1" } });
  });

  it("copies a value read whole, even when a field below it is also read", () => {
    expect(prepare("size(event.data.nested) == 2 && event.data.nested.a == 1").event).toEqual({
      data: { nested: { a: 1, b: 2 } },
    });
    expect(prepare("event.data['nested'].b == async.data.b").event).toEqual({ data: { nested: { b: 2 } } });
    expect(prepare("event.data.nothing.x == async.data.x").event).toEqual({ data: { nothing: null } });
    expect(prepare("size(event) > 0").event).toEqual(JSON.parse(JSON.stringify(trigger)));
  });

  it("keeps awkward keys as plain keys", () => {
    const event = JSON.parse('{"data":{"__proto__":{"x":1}}}') as unknown;
    const pause = prepare("event.data['__proto__'].x == async.data.x", event);
    expect(Object.hasOwn(pause.event.data as object, "__proto__")).toBe(true);
    expect(pause.index).toEqual({ path: "data.x", key: "n:1" });
    expect(pauseMatches(pause, { data: { x: 1 } })).toBe(true);
  });
});

describe("the index", () => {
  it("resolves the trigger side of a match in either order", () => {
    expect(indexOf("event.data.id == async.data.id")).toEqual({ path: "data.id", key: "s:ord_1" });
    expect(indexOf("async.data.id == event.data.id")).toEqual({ path: "data.id", key: "s:ord_1" });
    expect(indexOf("async.data.userId == event.data.userId && async.data.amount > 10")).toEqual({
      path: "data.userId",
      key: "s:u_1",
    });
  });

  it("indexes literals of every indexable kind", () => {
    expect(indexOf('async.data.status == "paid"')).toEqual({ path: "data.status", key: "s:paid" });
    expect(indexOf("'paid' == async.data.status")).toEqual({ path: "data.status", key: "s:paid" });
    expect(indexOf("async.data.n == 5")?.key).toBe("n:5");
    expect(indexOf("async.data.n == 5.0")?.key).toBe("n:5");
    expect(indexOf("async.data.n == 5u")?.key).toBe("n:5");
    expect(indexOf("async.data.n == 2.5")?.key).toBe("n:2.5");
    expect(indexOf("async.data.n == -3")?.key).toBe("n:-3");
    expect(indexOf("async.data.ok == true")?.key).toBe("b:true");
    expect(indexOf("async.data.ok == false")?.key).toBe("b:false");
    expect(indexOf('async.data["id"] == "x"')).toEqual({ path: "data.id", key: "s:x" });
  });

  it("handles parentheses and ignores && inside strings and nested expressions", () => {
    expect(indexOf("((async.data.id == 'a&&b'))")).toEqual({ path: "data.id", key: "s:a&&b" });
    expect(indexOf("(async.data.x > 1 && (async.data.id == event.data.id))")?.path).toBe("data.id");
    expect(indexOf("size([async.data.a == 1 && true]) == 1")).toBeUndefined();
  });

  it("never indexes under || or !", () => {
    expect(indexOf("async.data.id == 'a' || async.data.id == 'b'")).toBeUndefined();
    expect(indexOf("!(async.data.id == 'a')")).toBeUndefined();
    expect(indexOf("(async.data.id == 'a' && true) || false")).toBeUndefined();
    expect(indexOf("async.data.ok ? async.data.id == 'a' : false")).toBeUndefined();
  });

  it("takes the first qualifying conjunct, skipping non-indexable values", () => {
    expect(indexOf("async.data.a == 'x' && async.data.b == 'y'")?.path).toBe("data.a");
    expect(indexOf("async.data.a == event.data.missing && async.data.b == 'y'")?.path).toBe("data.b");
    expect(
      indexOf("async.data.a == event.data.nested && async.data.b == event.data.nothing"),
    ).toBeUndefined();
    expect(indexOf("async.data.a == null && async.data.b == [1] && async.data.c == b'x'")).toBeUndefined();
    expect(indexOf("async.data.a != 'x' && async.data.b == async.data.c && event.data.id == 'ord_1'")).toBe(
      undefined,
    );
    expect(indexOf("async == event.data.id && async.data['a.b'] == 'x'")).toBeUndefined();
  });
});

describe("pauseMatches", () => {
  it("evaluates against the stored trigger parts and the incoming event", () => {
    const pause = prepare("async.data.userId == event.data.userId && async.data.amount > 10");
    expect(pauseMatches(pause, { data: { userId: "u_1", amount: 11 } })).toBe(true);
    expect(pauseMatches(pause, { data: { userId: "u_1", amount: 10 } })).toBe(false);
    expect(pauseMatches(pause, { data: { userId: "u_2", amount: 11 } })).toBe(false);
    expect(pauseMatches(pause, { data: {} })).toBe(false);
    expect(pauseMatches(pause, null)).toBe(false);
  });

  it("compares across numeric types but not across types", () => {
    const pause = prepare("async.data.n == 5");
    expect(pauseMatches(pause, { data: { n: 5 } })).toBe(true);
    expect(pauseMatches(pause, { data: { n: "5" } })).toBe(false);
    expect(pauseMatches(prepare("async.data.n == '1'"), { data: { n: 1 } })).toBe(false);
    expect(pauseMatches(prepare("async.data.n == true"), { data: { n: 1 } })).toBe(false);
  });
});

describe("indexKey and valueAt", () => {
  it("keys strings, finite numbers and booleans only", () => {
    expect(indexKey("a")).toBe("s:a");
    expect(indexKey("")).toBe("s:");
    expect(indexKey(5)).toBe("n:5");
    expect(indexKey(5.0)).toBe(indexKey(5));
    expect(indexKey(-0)).toBe("n:0");
    expect(indexKey(1.5)).toBe("n:1.5");
    expect(indexKey(true)).toBe("b:true");
    expect(indexKey(false)).toBe("b:false");
    for (const value of [null, undefined, {}, [], [1], Number.NaN, Number.POSITIVE_INFINITY, 5n]) {
      expect(indexKey(value)).toBeUndefined();
    }
  });

  it("reads own properties along a dotted path", () => {
    const evt = { data: { id: 1, nested: { a: "x" }, list: [1], nothing: null } };
    expect(valueAt(evt, "data.id")).toBe(1);
    expect(valueAt(evt, "data.nested.a")).toBe("x");
    expect(valueAt(evt, "data.nested")).toEqual({ a: "x" });
    expect(valueAt(evt, "data.missing")).toBeUndefined();
    expect(valueAt(evt, "data.nothing.x")).toBeUndefined();
    expect(valueAt(evt, "data.list.0")).toBeUndefined();
    expect(valueAt(evt, "data.constructor")).toBeUndefined();
    expect(valueAt(null, "data.id")).toBeUndefined();
  });
});

describe("property: the index never excludes a match, and the sparse event changes nothing", () => {
  // Deterministic PRNG (mulberry32) so a failure is reproducible.
  function rng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
  }
  const random = rng(20240601);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  // Lookalikes across types on purpose: 1 / "1" / true / "true", 0 / -0 / "" / false / null.
  const VALUES: readonly unknown[] = [
    ...[1, 0, -0, -1, 1.5, 2 ** 53, 2 ** 53 + 2, 5],
    ...["1", "a", "", "true", "a&&b", "5"],
    ...[true, false, null, {}, [], [1], { c: 1 }, { c: "1" }],
  ];
  const LITERALS = [
    ...[
      "1",
      "1.0",
      "1u",
      "-1",
      "-1.0",
      "0",
      "-0.0",
      "0.0",
      "1.5",
      "5",
      "9007199254740992",
      "9007199254740993",
    ],
    ...["'1'", '"1"', "'a'", '""', "'true'", "'a&&b'", "true", "false", "null", "[1]", "{'c': 1}"],
  ];
  const PATHS = ["data.a", "data.b", "data.n.c", "name"];

  function randomObject(): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const key of ["a", "b"]) if (random() < 0.8) data[key] = pick(VALUES);
    if (random() < 0.5) data.n = random() < 0.7 ? { c: pick(VALUES) } : pick(VALUES);
    const evt: Record<string, unknown> = { data: random() < 0.9 ? data : pick(VALUES) };
    if (random() < 0.5) evt.name = pick(VALUES);
    return evt;
  }

  function conjunct(): string {
    const p = pick(PATHS);
    const q = pick(PATHS);
    const bracket = p.replace(/^data\.(\w+)$/, "data['$1']");
    switch (Math.floor(random() * 12)) {
      case 0:
        return `async.${p} == ${pick(LITERALS)}`;
      case 1:
        return `${pick(LITERALS)} == async.${p}`;
      case 2:
        return `async.${p} == event.${q}`;
      case 3:
        return `event.${q} == async.${p}`;
      case 4:
        return `(async.${bracket} == ${pick(LITERALS)})`;
      case 5:
        return `async.${p} != ${pick(LITERALS)}`;
      case 6:
        return `async.${p} > event.${q}`;
      case 7:
        return `has(async.${p})`;
      case 8:
        return pick([
          "size(event.data) > 1",
          "size(event) > 2",
          "size(event.data.n) > 0",
          "has(event.data.n.c)",
        ]);
      case 9:
        return `event.${q} == ${pick(LITERALS)}`;
      case 10:
        return `async.${p}`;
      default:
        return `async.${p} == async.${q}`;
    }
  }

  function expression(depth: number): string {
    if (depth <= 0 || random() < 0.3) return conjunct();
    switch (Math.floor(random() * 5)) {
      case 0:
        return `${expression(depth - 1)} || ${expression(depth - 1)}`;
      case 1:
        return `!(${expression(depth - 1)})`;
      case 2:
        return `(${expression(depth - 1)})`;
      default:
        return `${expression(depth - 1)} && ${expression(depth - 1)}`;
    }
  }

  /** An incoming event that often shares values with the trigger, so matches are common. */
  function incomingFor(triggerEvent: Record<string, unknown>): Record<string, unknown> {
    const evt = randomObject();
    if (random() < 0.7) {
      const shared = PATHS.map((path) => valueAt(triggerEvent, path));
      const data: Record<string, unknown> = {};
      for (const key of ["a", "b"]) data[key] = random() < 0.6 ? pick(shared) : pick(VALUES);
      data.n = { c: random() < 0.6 ? pick(shared) : pick(VALUES) };
      evt.data = data;
      evt.name = random() < 0.6 ? pick(shared) : pick(VALUES);
    }
    return evt;
  }

  it("holds for many random expressions and events", () => {
    let indexedMatches = 0;
    let indexed = 0;
    for (let i = 0; i < 1500; i++) {
      const source = expression(i % 3);
      const triggerEvent = JSON.parse(JSON.stringify(randomObject())) as Record<string, unknown>;
      const pause = prepare(source, triggerEvent);
      if (pause.index) indexed++;
      for (let j = 0; j < 25; j++) {
        const incoming = JSON.parse(JSON.stringify(incomingFor(triggerEvent))) as unknown;
        const matches = pauseMatches(pause, incoming);
        const context = { source, triggerEvent, incoming, pause };
        expect(matches, JSON.stringify(context)).toBe(
          evaluateBoolean(source, { event: triggerEvent, async: incoming }),
        );
        if (matches && pause.index) {
          indexedMatches++;
          expect(indexKey(valueAt(incoming, pause.index.path)), JSON.stringify(context)).toBe(
            pause.index.key,
          );
        }
      }
    }
    // Not vacuous: plenty of pauses got an index and plenty of matches were checked against it.
    expect(indexed).toBeGreaterThan(100);
    expect(indexedMatches).toBeGreaterThan(200);
  });
});
