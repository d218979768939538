/**
 * bind.ts grants exactly what infra/stack/iamActions.ts says a manifest entry's grants give, also
 * for grants no manifest entry has today (write-only buckets, schedule deletion alone, an index
 * query alone): probe functions with such grants are added to a stack and their policies read back.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { bindGrants, bindTable } from "../../../infra/stack/constructs/bind.js";
import { TidelineFunction } from "../../../infra/stack/constructs/TidelineFunction.js";
import { describePermission, grantedPermissions } from "../../../infra/stack/iamActions.js";
import { TidelineStack } from "../../../infra/stack/TidelineStack.js";
import { FUNCTIONS, type GrantsSpec, TABLES } from "../../../shared/resources.js";
import { grantsOf, newApp, type Synthesized, synthesized } from "./fixture.js";

const CASES: [string, GrantsSpec][] = [
  ["only writes objects (no ListBucket)", { buckets: { payloads: ["PutObject"] } }],
  ["only deletes schedules (no PassRole)", { scheduler: ["DeleteSchedule"] }],
  ["updates schedules (PassRole)", { scheduler: ["UpdateSchedule"] }],
  ["only queries an index", { tables: { runs: { actions: [], queryIndexes: ["active"] } } }],
  ["only sends to a queue", { queues: { timers: "send" } }],
];

/** A function of the stack's own kind with `grants` instead of its manifest entry's. */
function probe(stack: TidelineStack, id: string, grants: GrantsSpec): TidelineFunction {
  const fn = new TidelineFunction(stack, id, { spec: { ...FUNCTIONS.timer, id, grants } });
  bindGrants(fn, grants, stack);
  return fn;
}

let synth: Synthesized;
let probes: TidelineFunction[];

beforeAll(() => {
  const stack = new TidelineStack(newApp({ bundle: false }), "Tideline");
  probes = CASES.map(([, grants], i) => probe(stack, `Probe${i}`, grants));
  synth = synthesized(stack);
}, 60_000);

describe("bindGrants", () => {
  it.each(CASES.map(([name, grants], i) => [name, grants, i] as const))(
    "grants a function that %s exactly what iamActions.ts names",
    (_name, grants, i) => {
      const granted = grantsOf(synth, (probes[i] as TidelineFunction).role);

      expect([...new Set(granted)].sort()).toEqual(grantedPermissions(grants).map(describePermission).sort());
    },
  );

  it("refuses a query on an index the table does not have", () => {
    const stack = new TidelineStack(newApp({ bundle: false }), "Other");
    const fn = probe(stack, "Probe", {});

    expect(() =>
      bindTable(fn, TABLES.runs, stack.data.tables.runs, { actions: [], queryIndexes: ["nope"] }),
    ).toThrow(/has no index nope/);
  });
});
