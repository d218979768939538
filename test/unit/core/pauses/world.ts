/**
 * A small world for the pause tests: every port in memory, the real runner pipeline, executor and
 * timer handlers, and a fake app whose answers are scripted per function from the request (the
 * memo of steps it receives), as an SDK replays a function body.
 */
import { expect } from "vitest";
import { type MemoryPorts, memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../../shared/adapters/memory/ManualClock.js";
import { type ExecutorDeps, executeJob, type JobResult } from "../../../../shared/core/engine/executeJob.js";
import { handleEvents, type RunnerDeps } from "../../../../shared/core/runner/pipeline.js";
import { runIdFor } from "../../../../shared/core/runner/startRuns.js";
import { deliverTimer, type TimerKindDeps } from "../../../../shared/core/scheduling/timerKinds.js";
import type { Json, JsonObject } from "../../../../shared/domain/json.js";
import type {
  AcceptedEvent,
  FunctionRecord,
  InngestEvent,
  Job,
  RunRecord,
  TimerMessage,
} from "../../../../shared/domain/schemas.js";
import { makeAccepted, makeApp, makeFunction, T0 } from "../../../fixtures/records.js";
import { fakeSdk, type SdkReply, type SdkRequest } from "../../../fixtures/sdk.js";
import { randomSuffix } from "../../../helpers/randomSuffix.js";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** What the fake app receives, as a function body sees it. */
export interface Call {
  /** Stored step values by hashed id (the request's `steps`). */
  steps: Record<string, Json>;
  /** The request body's `defers`. */
  defers: Record<string, { abortable: boolean }>;
  event: InngestEvent;
  request: SdkRequest;
}

export type Script = (call: Call) => SdkReply | Promise<SdkReply>;

export type Deps = ExecutorDeps & RunnerDeps & TimerKindDeps;

export interface World {
  ports: MemoryPorts<ManualClock>;
  deps: Deps;
  appId: string;
  /** An event name of this world's app. */
  ev(name: string): string;
  /** A function of this app (not yet synced). */
  fn(id: string, events?: string[], overrides?: Partial<FunctionRecord>): FunctionRecord;
  /** Syncs the functions and scripts how the app answers each (by slug). */
  sync(fns: Array<[FunctionRecord, Script]>): Promise<void>;
  /** Every request the app received for a function, in order. */
  requestsOf(fn: FunctionRecord): Call[];
  /** Accepts an event now (or at `receivedAt`) and passes it through the runner. */
  send(event: Partial<InngestEvent>, receivedAt?: number): Promise<AcceptedEvent>;
  /** Passes an accepted event (again) through the runner. */
  deliver(accepted: AcceptedEvent): Promise<void>;
  /** Runs one job as the executor does. */
  execute(job: Job, receiveCount?: number): Promise<JobResult>;
  /** Takes the oldest queued job and runs it (fails when none is queued). */
  executeNext(): Promise<JobResult>;
  /** Takes and runs queued jobs until the queue is empty; their results in order. */
  runJobs(): Promise<JobResult[]>;
  /** Takes the events put on the stream so far (system events, invokes) off it. */
  takeStream(): AcceptedEvent[];
  /** Delivers every timer due by now (the clock is not moved). */
  fireDueTimers(): Promise<TimerMessage[]>;
  /** Runs jobs and feeds streamed events back through the runner until nothing moves. */
  settle(): Promise<AcceptedEvent[]>;
  run(runId: string): Promise<RunRecord>;
  /** The run `fn` started for `accepted`. */
  runOf(fn: FunctionRecord, accepted: AcceptedEvent): Promise<RunRecord>;
}

export async function world(): Promise<World> {
  const ports = memoryPorts(new ManualClock(T0));
  const appId = `app-${randomSuffix()}`;
  const scripts = new Map<string, Script>();
  const calls = new Map<string, Call[]>();
  const sdk = fakeSdk(
    (request) => {
      const slug = new URL(request.url).searchParams.get("fnId") ?? "";
      const script = scripts.get(slug);
      if (!script) throw new Error(`no script for ${slug}`);
      const body = request.body as {
        steps: Record<string, Json>;
        defers: Record<string, { abortable: boolean }>;
        event: InngestEvent;
      };
      const call: Call = { steps: body.steps, defers: body.defers, event: body.event, request };
      calls.set(slug, [...(calls.get(slug) ?? []), call]);
      return script(call);
    },
    { nowSeconds: Math.floor(T0 / 1000) },
  );
  const deps: Deps = { ...ports, http: sdk.http, signingKeys: [], random: () => 0.5 };

  const w: World = {
    ports,
    deps,
    appId,
    ev: (name) => `${appId}/${name}`,
    fn: (id, events = [], overrides = {}) => makeFunction(appId, id, events, overrides),
    async sync(fns) {
      for (const [fn, script] of fns) scripts.set(fn.slug, script);
      const records = fns.map(([fn]) => fn);
      await ports.registry.putAppSync(makeApp(appId, records), records);
    },
    requestsOf: (fn) => calls.get(fn.slug) ?? [],
    async send(event, receivedAt = ports.clock.now()) {
      const accepted = makeAccepted(event, receivedAt);
      await handleEvents(deps, [accepted]);
      return accepted;
    },
    deliver: (accepted) => handleEvents(deps, [accepted]),
    execute: (job, receiveCount = 1) => executeJob(deps, job, { receiveCount, remainingMs: 60_000 }),
    async executeNext() {
      const [queued] = ports.work.receive(1);
      if (!queued) throw new Error("no job queued");
      return w.execute(queued.job);
    },
    async runJobs() {
      const results: JobResult[] = [];
      for (let i = 0; i < 100; i++) {
        const [queued] = ports.work.receive(1);
        if (!queued) return results;
        results.push(await w.execute(queued.job));
      }
      throw new Error("jobs kept coming");
    },
    takeStream: () => ports.stream.take(),
    async fireDueTimers() {
      const due = ports.timers.takeDue(ports.clock.now());
      for (const message of due) await deliverTimer(deps, message.item);
      return due;
    },
    async settle() {
      const streamed: AcceptedEvent[] = [];
      for (let i = 0; i < 50; i++) {
        const results = await w.runJobs();
        const events = ports.stream.take();
        streamed.push(...events);
        if (results.length === 0 && events.length === 0) return streamed;
        await handleEvents(deps, events);
      }
      throw new Error("the world kept moving");
    },
    async run(runId) {
      const run = await ports.runs.getRun(runId);
      if (!run) throw new Error(`run ${runId} not found`);
      return run;
    },
    runOf: (fn, accepted) => w.run(runIdFor(fn.slug, accepted)),
  };
  return w;
}

// ---- SDK answers ----

/** A 206 with a WaitForEvent op. */
export function waitOp(id: string, opts: { event: string; timeout?: string; if?: string }): JsonObject {
  return { id, op: "WaitForEvent", name: opts.event, displayName: `wait ${id}`, opts: { ...opts } };
}

export function invokeOp(
  id: string,
  opts: { function_id: string; payload?: Json; timeout?: string },
): JsonObject {
  return { id, op: "InvokeFunction", name: `invoke ${id}`, opts: { ...opts } };
}

export function deferAddOp(id: string, fnSlug: string, input: JsonObject): JsonObject {
  return { id, op: "DeferAdd", opts: { fn_slug: fnSlug, input } };
}

export function deferAbortOp(id: string, target: string): JsonObject {
  return { id, op: "DeferAbort", opts: { target_hashed_id: target } };
}

/** A RunComplete op (the 206 form of a completion, with lazy ops beside it). */
export function runCompleteOp(data: Json): JsonObject {
  return { id: "0737c22d3bfae812339732d14d8c7dbd6dc4e09c", op: "RunComplete", data };
}

/** A 500 from the SDK: the function threw. */
export function threw(message: string): SdkReply {
  return { status: 500, body: { name: "Error", message } };
}

// ---- reading what happened ----

/** The events of `name` among `events`. */
export function named(events: AcceptedEvent[], name: string): AcceptedEvent[] {
  return events.filter((e) => e.event.name === name);
}

/** The only element of `list` (fails otherwise). */
export function one<T>(list: readonly T[]): T {
  expect(list).toHaveLength(1);
  const [only] = list;
  if (only === undefined) throw new Error("expected exactly one");
  return only;
}

/** Asserts the run waits: no job pending and none queued. */
export function expectIdle(w: World, run: RunRecord): void {
  expect(run.status).toBe("Running");
  expect(run.next).toEqual([]);
  expect(w.ports.work.peek().filter((q) => q.job.runId === run.runId)).toEqual([]);
}
