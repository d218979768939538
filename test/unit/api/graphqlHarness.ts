/** What the GraphQL unit tests share: memory ports with one function synced, and run builders. */
import { monotonicFactory } from "ulid";
import { beforeEach, expect } from "vitest";
import { type ManualClock, type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { handleGraphql } from "../../../shared/core/api/graphql/index.js";
import type { Json } from "../../../shared/domain/json.js";
import type { RunRecord, StepRecord } from "../../../shared/domain/schemas.js";
import type { RunTransition } from "../../../shared/ports/index.js";
import { makeApp, makeFunction, makeRun, T0 } from "../../fixtures/records.js";

export const newId = monotonicFactory();

export interface GqlHarness {
  ports: MemoryPorts<ManualClock>;
  /** Runs a query that must answer 200; returns the whole body. */
  gql(query: string, variables?: Record<string, Json>, operationName?: string): Promise<Json>;
  /** A Running run moved through the transitions `build` gives for its id, version by version. */
  runWith(build?: (runId: string) => RunTransition[]): Promise<RunRecord>;
}

/** Fresh ports at T0 + 1 s with the function "app-fn" ("My function") synced. */
export async function gqlHarness(): Promise<GqlHarness> {
  const ports = memoryPorts();
  ports.clock.set(T0 + 1000);
  const fn = makeFunction("app", "fn", ["test/event"], { name: "My function" });
  await ports.registry.putAppSync(makeApp("app", [fn]), [fn]);
  return {
    ports,
    async gql(query, variables = {}, operationName) {
      const res = await handleGraphql(ports, JSON.stringify({ query, variables, operationName }));
      expect(res.status).toBe(200);
      return res.body;
    },
    async runWith(build = () => []) {
      const run = makeRun({ runId: newId(T0), startedAt: T0 });
      await ports.runs.createRun(run);
      for (const [version, t] of build(run.runId).entries()) {
        expect(await ports.runs.commitTransition(run.runId, version, t)).toBe(true);
      }
      return run;
    },
  };
}

/** A fresh harness before each test of the calling file; its members always act on the current one. */
export function useGqlHarness(): GqlHarness {
  let current: GqlHarness | undefined;
  beforeEach(async () => {
    current = await gqlHarness();
  });
  const h = (): GqlHarness => {
    if (!current) throw new Error("useGqlHarness: used outside a test");
    return current;
  };
  return {
    get ports() {
      return h().ports;
    },
    gql: (query, variables, operationName) => h().gql(query, variables, operationName),
    runWith: (build) => h().runWith(build),
  };
}

/** A step result of `runId` that ran from T0 + 20 to T0 + 30. */
export function step(runId: string, stepId: string, over: Partial<StepRecord> = {}): StepRecord {
  return {
    runId,
    stepId,
    value: { data: null },
    name: stepId,
    op: "StepRun",
    attempts: 0,
    at: T0 + 30,
    startedAt: T0 + 20,
    ...over,
  };
}

/** The first transition of a run: its first SDK request began at T0 + 10. */
export const started: RunTransition = { set: { firstAttemptAt: T0 + 10 }, at: T0 + 10 };
