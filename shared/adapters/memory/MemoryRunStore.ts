import { checkFilterLists } from "../../domain/listing.js";
import {
  type AttemptRecord,
  jobId,
  type Pause,
  type RunMetadataRecord,
  type RunRecord,
  type RunSummary,
  type ScheduledJob,
  type StepRecord,
  type UserlandSpan,
} from "../../domain/schemas.js";
import {
  type AppendResult,
  type AppendSteps,
  applyTransition,
  type CompleteStep,
  type CreateRunResult,
  type PageRequest,
  type RunHistory,
  type RunQuery,
  type RunStore,
  type RunTransition,
  type StalledRun,
} from "../../ports/index.js";
import { pageAfter, runMatches, summarize } from "./listing.js";
import { MemoryPauseStore } from "./MemoryPauseStore.js";

/** When the earliest pending job fell or falls due; undefined when nothing is pending. */
function earliestDue(next: ScheduledJob[], updatedAt: number): number | undefined {
  if (next.length === 0) return undefined;
  return Math.min(...next.map((j) => j.dueAt ?? updatedAt));
}

interface StoredRun {
  run: RunRecord;
  steps: Map<string, StepRecord>;
  attempts: AttemptRecord[];
  metadata: Map<string, RunMetadataRecord>;
  userland: Map<string, UserlandSpan>;
  /**
   * The sweep's sort key, kept exactly as the Dynamo store keeps its `active` index attribute: set
   * at creation, moved by a transition that sets `next`, dropped by a final status or an empty `next`.
   */
  dueAt?: number;
}

/**
 * Runs, their steps, the runs-by-event index and idempotency keys in maps, with the Dynamo store's
 * rules (see the RunStore port). Records go in and come out as copies. `failNextCommit` makes
 * the next commitTransition throw, as a throttled or conflicting DynamoDB transaction does.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, StoredRun>();
  private readonly byEvent = new Map<string, Set<string>>();
  /** key → expiry in whole seconds (the Dynamo TTL attribute's resolution). */
  private readonly idempotency = new Map<string, number>();
  private commitFailure: Error | undefined;
  /** The pauses table: written by transitions here, read through the PauseStore port. */
  readonly pauses = new MemoryPauseStore();

  /** The next commitTransition throws `error` and writes nothing. */
  failNextCommit(error: Error = new Error("injected commit failure")): void {
    this.commitFailure = error;
  }

  async createRun(
    run: RunRecord,
    idempotency?: { key: string; expiresAt: number },
    pauses?: Pause[],
  ): Promise<CreateRunResult> {
    if (this.runs.has(run.runId)) return "exists";
    if (idempotency) {
      const held = this.idempotency.get(idempotency.key);
      // An expired key still present counts as free (TTL deletion is lazy on DynamoDB too).
      if (held !== undefined && !(held < Math.floor(run.startedAt / 1000))) return "duplicate";
      this.idempotency.set(idempotency.key, Math.ceil(idempotency.expiresAt / 1000));
    }
    const stored: StoredRun = {
      run: structuredClone(run),
      steps: new Map(),
      attempts: [],
      metadata: new Map(),
      userland: new Map(),
    };
    const due = run.status === "Running" ? earliestDue(run.next, run.updatedAt) : undefined;
    if (due !== undefined) stored.dueAt = due;
    this.runs.set(run.runId, stored);
    if (pauses?.length) this.pauses.apply({ put: pauses });
    let runIds = this.byEvent.get(run.eventId);
    if (!runIds) {
      runIds = new Set();
      this.byEvent.set(run.eventId, runIds);
    }
    runIds.add(run.runId);
    return "created";
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const stored = this.runs.get(runId);
    return stored ? structuredClone(stored.run) : undefined;
  }

  async getRunState(runId: string): Promise<{ run: RunRecord; steps: StepRecord[] } | undefined> {
    const stored = this.runs.get(runId);
    if (!stored) return undefined;
    // Ordered by step id, like the Dynamo query over STEP#<id> sort keys.
    const steps = [...stored.steps.values()].sort((a, b) =>
      a.stepId < b.stepId ? -1 : a.stepId > b.stepId ? 1 : 0,
    );
    return structuredClone({ run: stored.run, steps });
  }

  async commitTransition(runId: string, expectVersion: number, t: RunTransition): Promise<boolean> {
    const failure = this.commitFailure;
    if (failure) {
      this.commitFailure = undefined;
      throw failure;
    }
    const stored = this.runs.get(runId);
    if (!stored || stored.run.version !== expectVersion) return false;
    const stepIds = (t.steps ?? []).map((s) => s.stepId);
    if (new Set(stepIds).size !== stepIds.length) {
      throw new Error(`run ${runId}: one transition writes the same step twice`);
    }
    if (stepIds.some((id) => stored.steps.has(id))) {
      throw new Error(`run ${runId}: step already stored at version ${expectVersion}`);
    }
    // A pause already consumed: the other side of the race resumed the run.
    if (t.pauses?.consume && !this.pauses.has(t.pauses.consume)) return false;
    if (t.pauses) this.pauses.apply(t.pauses);
    for (const step of t.steps ?? []) stored.steps.set(step.stepId, structuredClone(step));
    for (const attempt of t.attempts ?? []) stored.attempts.push(structuredClone(attempt));
    stored.run = applyTransition(stored.run, structuredClone(t));
    if (t.set.status !== undefined && t.set.status !== "Running") delete stored.dueAt;
    else if (t.set.next !== undefined) {
      const due = earliestDue(t.set.next, t.at);
      if (due === undefined) delete stored.dueAt;
      else stored.dueAt = due;
    }
    return true;
  }

  async appendSteps(runId: string, a: AppendSteps): Promise<AppendResult> {
    const stored = this.withPendingJob(runId, a.jobId);
    if (!stored) return "stale";
    const existing = a.steps.filter((s) => stored.steps.has(s.stepId)).map((s) => s.stepId);
    if (existing.length) return { stored: existing };
    if ((stored.run.stateBytes ?? 0) + a.bytes > a.maxStateBytes) return "full";
    for (const step of a.steps) stored.steps.set(step.stepId, structuredClone(step));
    this.append(stored, a.steps, a);
    return "ok";
  }

  async completeStep(runId: string, c: CompleteStep): Promise<{ run: RunRecord } | "stale" | "full"> {
    const stored = this.withPendingJob(runId, c.jobId);
    if (!stored || stored.run.stack.includes(c.step.stepId)) return "stale";
    // Written first, as the Dynamo store does (a later delivery finds it and only settles).
    if (!stored.steps.has(c.step.stepId)) stored.steps.set(c.step.stepId, structuredClone(c.step));
    if ((stored.run.stateBytes ?? 0) + c.bytes > c.maxStateBytes) return "full";
    this.append(stored, [c.step], c);
    stored.run.next = stored.run.next.filter((j) => jobId(j.job) !== c.jobId);
    return { run: structuredClone(stored.run) };
  }

  /** The stored run, if it is Running and `job` is one of its pending jobs. */
  private withPendingJob(runId: string, job: string): StoredRun | undefined {
    const stored = this.runs.get(runId);
    if (stored?.run.status !== "Running") return undefined;
    return stored.run.next.some((j) => jobId(j.job) === job) ? stored : undefined;
  }

  /** The run part of a blind append: steps on the stack, bytes counted, the version bumped. */
  private append(stored: StoredRun, steps: StepRecord[], a: { bytes: number; at: number }): void {
    stored.run = {
      ...stored.run,
      stack: [...stored.run.stack, ...steps.map((s) => s.stepId)],
      stateBytes: (stored.run.stateBytes ?? 0) + a.bytes,
      version: stored.run.version + 1,
      updatedAt: a.at,
    };
  }

  async listRunsForEvent(eventId: string): Promise<RunRecord[]> {
    const runIds = [...(this.byEvent.get(eventId) ?? [])].sort();
    return runIds.flatMap((id) => {
      const stored = this.runs.get(id);
      return stored ? [structuredClone(stored.run)] : [];
    });
  }

  async getRunHistory(runId: string): Promise<RunHistory | undefined> {
    const state = await this.getRunState(runId);
    const stored = this.runs.get(runId);
    if (!state || !stored) return undefined;
    const metadata = [...stored.metadata.values()].sort((a, b) => (a.writeId < b.writeId ? -1 : 1));
    const userlandSpans = [...stored.userland.values()].sort((a, b) => (a.spanId < b.spanId ? -1 : 1));
    return structuredClone({ ...state, attempts: stored.attempts, metadata, userlandSpans });
  }

  async getStep(runId: string, stepId: string): Promise<StepRecord | undefined> {
    const step = this.runs.get(runId)?.steps.get(stepId);
    return step ? structuredClone(step) : undefined;
  }

  async addMetadata(records: RunMetadataRecord[]): Promise<void> {
    for (const record of records) {
      const stored = this.runs.get(record.runId);
      if (!stored) throw new Error(`run ${record.runId} not found`);
      stored.metadata.set(record.writeId, structuredClone(record));
    }
  }

  async addUserlandSpans(spans: UserlandSpan[]): Promise<void> {
    for (const span of spans) {
      const stored = this.runs.get(span.runId);
      if (!stored) throw new Error(`run ${span.runId} not found`);
      stored.userland.set(span.spanId, structuredClone(span));
    }
  }

  async listRuns(query: RunQuery, page: PageRequest): Promise<{ runs: RunSummary[]; cursor?: string }> {
    checkFilterLists({ functions: query.fnSlugs, apps: query.appIds, statuses: query.statuses });
    const matching = [...this.runs.values()].map((s) => s.run).filter((r) => runMatches(r, query));
    const { items, cursor } = pageAfter(
      matching,
      (r) => ({ at: r.startedAt, id: r.runId }),
      query.order ?? "desc",
      page,
    );
    return { runs: items.map(summarize), ...(cursor ? { cursor } : {}) };
  }

  async countRuns(query: RunQuery): Promise<number> {
    checkFilterLists({ functions: query.fnSlugs, apps: query.appIds, statuses: query.statuses });
    let n = 0;
    for (const { run } of this.runs.values()) if (runMatches(run, query)) n++;
    return n;
  }

  async listStalledRuns(
    dueBefore: number,
    page: { limit: number; cursor?: string },
  ): Promise<{ runs: StalledRun[]; cursor?: string }> {
    const stalled = [...this.runs.values()].filter(
      (s): s is StoredRun & { dueAt: number } =>
        s.run.status === "Running" && s.dueAt !== undefined && s.dueAt < dueBefore,
    );
    // In (dueAt, runId) order, as the Dynamo index sorts them.
    const { items, cursor } = pageAfter(stalled, (s) => ({ at: s.dueAt, id: s.run.runId }), "asc", page);
    const runs = items.map(({ run }) =>
      structuredClone({ runId: run.runId, version: run.version, next: run.next }),
    );
    return { runs, ...(cursor ? { cursor } : {}) };
  }
}
