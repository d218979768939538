/**
 * Per-request state: the ports and memoized reads, so a query that asks for the same function,
 * app or run from many nodes (a page of runs, a trace's spans) reads each once.
 */

import type { RunUsage } from "../../../domain/awsUsage.js";
import type { AppRecord, FunctionRecord, RunRecord } from "../../../domain/schemas.js";
import type { EventStore, RunHistory } from "../../../ports/index.js";
import type { RunUsageStore } from "../../../ports/runUsage.js";
import { DEFAULT_RETRIES } from "../../../protocol/constants.js";
import type { CreateRunDeps } from "../../runner/types.js";

/** What the API reads, and what its mutations (reruns, replays) need to create runs. */
export interface GraphqlDeps extends CreateRunDeps {
  events: EventStore;
  /** Runs' AWS usage; without it, `awsCost` is null and `runStats` costs nothing. */
  runUsage?: RunUsageStore;
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

export class RequestContext {
  /** One "now" per request: listings default their window to it and traces judge sleeps by it. */
  readonly now: number;
  private readonly fns = new Map<string, Promise<FunctionRecord | undefined>>();
  private readonly apps = new Map<string, Promise<AppRecord | undefined>>();
  private readonly runs = new Map<string, Promise<RunRecord | undefined>>();
  private readonly histories = new Map<string, Promise<RunHistory | undefined>>();
  private functionList: Promise<FunctionRecord[]> | undefined;
  /** Usage reads asked for in the same turn (a page of runs) go out as one batch read. */
  private usageBatch: { ids: Set<string>; result: Promise<Map<string, RunUsage>> } | undefined;
  private appList: Promise<AppRecord[]> | undefined;

  constructor(readonly deps: GraphqlDeps) {
    this.now = deps.clock.now();
  }

  fn(slug: string): Promise<FunctionRecord | undefined> {
    return memo(this.fns, slug, () => this.deps.registry.getFunction(slug));
  }

  /** The function of a run; a stand-in when the registry no longer knows it (fields are non-null). */
  async fnOf(run: Pick<RunRecord, "fnSlug" | "appId">): Promise<FunctionRecord> {
    return (await this.fn(run.fnSlug)) ?? placeholderFunction(run.fnSlug, run.appId);
  }

  app(appId: string): Promise<AppRecord | undefined> {
    return memo(this.apps, appId, () => this.deps.registry.getApp(appId));
  }

  async appOf(appId: string): Promise<AppRecord> {
    return (await this.app(appId)) ?? placeholderApp(appId);
  }

  listFunctions(): Promise<FunctionRecord[]> {
    this.functionList ??= this.deps.registry.listFunctions();
    return this.functionList;
  }

  listApps(): Promise<AppRecord[]> {
    this.appList ??= this.deps.registry.listApps();
    return this.appList;
  }

  run(runId: string): Promise<RunRecord | undefined> {
    return memo(this.runs, runId, () => this.deps.runs.getRun(runId));
  }

  /** A run's recorded usage; the runs of a page asking in the same turn are read together. */
  async usage(runId: string): Promise<RunUsage | undefined> {
    const store = this.deps.runUsage;
    if (!store) return undefined;
    if (!this.usageBatch) {
      const ids = new Set<string>();
      const result = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.usageBatch = undefined;
        return store.get([...ids]);
      });
      this.usageBatch = { ids, result };
    }
    this.usageBatch.ids.add(runId);
    return (await this.usageBatch.result).get(runId);
  }

  /** The recorded usage of many runs at once. */
  async usages(runIds: readonly string[]): Promise<Map<string, RunUsage>> {
    return this.deps.runUsage && runIds.length > 0 ? this.deps.runUsage.get(runIds) : new Map();
  }

  /** Remembers a run read some other way (a by-event listing, a mutation's result). */
  primeRun(run: RunRecord): void {
    this.runs.set(run.runId, Promise.resolve(run));
  }

  /** The run's history; its run record then serves `run()` too (one read, not two). */
  history(runId: string): Promise<RunHistory | undefined> {
    return memo(this.histories, runId, async () => {
      const history = await this.deps.runs.getRunHistory(runId);
      if (history && !this.runs.has(runId)) this.primeRun(history.run);
      return history;
    });
  }
}

function placeholderFunction(slug: string, appId: string): FunctionRecord {
  return {
    slug,
    appId,
    name: slug,
    internalId: slug,
    triggers: [],
    url: "",
    retries: DEFAULT_RETRIES,
    config: {},
    updatedAt: 0,
    archived: true,
  };
}

function placeholderApp(appId: string): AppRecord {
  return { appId, url: "", sdk: "unknown", functionSlugs: [], checksum: "", createdAt: 0, updatedAt: 0 };
}
