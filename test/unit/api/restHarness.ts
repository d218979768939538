/**
 * The REST v1 route table over the memory ports, driven through the same Router as the Lambda.
 * Errors are answered as lambdas/api.ts answers them (`{status, error}` with the error's status),
 * and every answer is recorded with the route that gave it (the OpenAPI test checks them all).
 */
import { monotonicFactory } from "ulid";
import { type ManualClock, type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { openApiRoute } from "../../../shared/core/api/rest/openapi.js";
import { type ApiRoute, Router } from "../../../shared/core/api/rest/route.js";
import { restRoutes } from "../../../shared/core/api/rest/routes.js";
import { signalPause } from "../../../shared/core/pauses/create.js";
import { TidelineError } from "../../../shared/domain/errors.js";
import { refOf } from "../../../shared/domain/pauses.js";
import type { AcceptedEvent, RunRecord } from "../../../shared/domain/schemas.js";
import { makeAccepted, makeApp, makeFunction, makeRun, T0 } from "../../fixtures/records.js";

export const newId = monotonicFactory();

export interface Answer {
  status: number;
  /** JSON; tests read it through the response schemas (`runListSchema.parse(body)`). */
  body: unknown;
}

export interface Recorded extends Answer {
  route: ApiRoute;
}

export interface Harness {
  ports: MemoryPorts<ManualClock>;
  routes: ApiRoute[];
  recorded: Recorded[];
  call(
    method: string,
    path: string,
    opts?: { query?: Record<string, string>; body?: string | object; headers?: Record<string, string> },
  ): Promise<Answer>;
}

export function harness(): Harness {
  const ports = memoryPorts();
  ports.clock.set(T0 + 60_000);
  const routes: ApiRoute[] = [...restRoutes(ports), openApiRoute(() => routes, "test")];
  const router = new Router(routes);
  const recorded: Recorded[] = [];
  return {
    ports,
    routes,
    recorded,
    async call(method, path, opts = {}) {
      const body = typeof opts.body === "string" ? opts.body : opts.body ? JSON.stringify(opts.body) : "";
      const raw = { method, path, query: opts.query ?? {}, body, headers: opts.headers ?? {} };
      let answer: Answer;
      try {
        const { route, request } = router.match(raw);
        const res = await route.handle(request());
        // Through JSON, as the Lambda sends it.
        answer = { status: res.status, body: JSON.parse(JSON.stringify(res.body)) };
        recorded.push({ ...answer, route });
      } catch (err) {
        if (!(err instanceof TidelineError) || !err.expose) throw err;
        answer = { status: err.status, body: { status: err.status, error: err.message } };
        const matched = routes.find((r) => r.method === method && matches(r.path, path));
        if (matched) recorded.push({ ...answer, route: matched });
      }
      return answer;
    },
  };
}

function matches(template: string, path: string): boolean {
  return new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path);
}

/** The function `app-fn` (triggered by `test/event`) of the app `app`. */
export async function syncApp(h: Harness): Promise<void> {
  const fn = makeFunction("app", "fn", ["test/event"], { name: "My function" });
  const other = makeFunction("app", "other", ["test/other"]);
  await h.ports.registry.putAppSync(makeApp("app", [fn, other]), [fn, other]);
}

/** A stored event received at `receivedAt` with a ULID internal id. */
export async function storeEvent(
  h: Harness,
  receivedAt: number,
  over: Partial<AcceptedEvent["event"]> = {},
  runIds: string[] = [],
): Promise<AcceptedEvent> {
  const base = makeAccepted(over, receivedAt);
  const internalId = newId(receivedAt);
  const accepted = { ...base, internalId, event: { ...base.event, id: over.id ?? internalId } };
  await h.ports.events.putEvent({ ...accepted, runIds });
  return accepted;
}

/** A run of `app-fn` that `event` started (and the event records it). */
export async function startedRun(
  h: Harness,
  event: AcceptedEvent,
  over: Partial<RunRecord> = {},
): Promise<RunRecord> {
  const run = makeRun({
    runId: newId(event.receivedAt),
    eventId: event.internalId,
    events: [event.event],
    startedAt: event.receivedAt + 5,
    ...over,
  });
  await h.ports.runs.createRun(run);
  const stored = await h.ports.events.getEvent(event.internalId);
  await h.ports.events.putEvent({ ...event, runIds: [...(stored?.runIds ?? []), run.runId] });
  return run;
}

/** A running run of `app-fn` whose step `wait` waits on `signal` until `expiresAt` (default T0 + 10 min). */
export async function waitingOnSignal(
  h: Harness,
  signal: string,
  expiresAt = T0 + 10 * 60_000,
): Promise<RunRecord> {
  const run = makeRun({ runId: newId(T0), startedAt: T0 });
  await h.ports.runs.createRun(run);
  const pause = signalPause(run, { signal, stepId: "wait", name: "w", createdAt: T0, expiresAt });
  await h.ports.runs.commitTransition(run.runId, 0, {
    pauses: { put: [pause] },
    set: { pauses: [refOf(pause)], next: [] },
    at: T0,
  });
  return run;
}
