/**
 * `POST/GET /v1/cancellations`, `DELETE /v1/cancellations/{id}`: bulk cancellations (SEMANTICS
 * 5.10). A new record is stored and its timer scheduled for now; the timer cancels the runs that
 * exist (core/runs/bulkCancel), the runner the ones created later inside the window.
 */
import { monotonicFactory } from "ulid";
import * as z from "zod";
import { NotFoundError, ValidationError } from "../../../domain/errors.js";
import type { FunctionRecord } from "../../../domain/schemas.js";
import { validateExpression } from "../../../expressions/index.js";
import type {
  CancellationRecord,
  CancellationStore,
  Clock,
  RegistryStore,
  TimerService,
} from "../../../ports/index.js";
import { cursorParam, encodeCursor, limitParam, MAX_PAGE } from "./params.js";
import { isUlid } from "./reads.js";
import type { cancellationRequestSchema } from "./requests.js";
import type { cancellationAnswerSchema, cancellationListSchema } from "./schemas.js";
import { cancellationView, responseMetadata } from "./views.js";
import { bodyTime } from "./writes.js";

export interface CancellationDeps {
  cancellations: CancellationStore;
  registry: RegistryStore;
  timers: TimerService;
  clock: Clock;
}

const newUlid = monotonicFactory();

/** The app's function by slug (`<app>-<id>`, as the other routes name it) or by its id in the app. */
async function functionOf(
  registry: RegistryStore,
  appId: string,
  functionId: string,
): Promise<FunctionRecord> {
  const app = await registry.getApp(appId);
  if (!app) throw new NotFoundError(`app ${appId} not found`);
  for (const slug of [functionId, `${appId}-${functionId}`]) {
    const fn = await registry.getFunction(slug);
    if (fn && fn.appId === app.appId && !fn.archived) return fn;
  }
  throw new NotFoundError(`function ${functionId} not found in app ${appId}`);
}

export async function createCancellation(
  deps: CancellationDeps,
  body: z.output<typeof cancellationRequestSchema>,
): Promise<z.infer<typeof cancellationAnswerSchema>> {
  const startedBefore = bodyTime("started_before", body.started_before);
  const startedAfter =
    body.started_after !== undefined ? bodyTime("started_after", body.started_after) : undefined;
  if (startedAfter !== undefined && startedAfter > startedBefore) {
    throw new ValidationError("invalid body: started_after must not be later than started_before");
  }
  if (body.if !== undefined) {
    const problem = validateExpression(body.if);
    if (problem !== undefined) throw new ValidationError(`invalid body: if: ${problem}`);
  }
  const fn = await functionOf(deps.registry, body.app_id, body.function_id);
  const now = deps.clock.now();
  const record: CancellationRecord = {
    id: newUlid(now),
    appId: fn.appId,
    fnSlug: fn.slug,
    fnInternalId: fn.internalId,
    ...(startedAfter !== undefined ? { startedAfter } : {}),
    startedBefore,
    ...(body.if !== undefined ? { if: body.if } : {}),
    createdAt: now,
  };
  await deps.cancellations.put(record);
  await deps.timers.schedule({ kind: "cancellation", cancellationId: record.id }, now);
  return { data: cancellationView(record), metadata: responseMetadata(now) };
}

export const cancellationsQuery = z.object({
  cursor: cursorParam("cancellations"),
  limit: limitParam,
});

export async function listCancellations(
  deps: CancellationDeps,
  q: z.output<typeof cancellationsQuery>,
): Promise<z.infer<typeof cancellationListSchema>> {
  const page = await deps.cancellations.list({
    limit: q.limit ?? MAX_PAGE,
    ...(q.cursor ? { cursor: q.cursor.store } : {}),
  });
  return {
    data: page.cancellations.map(cancellationView),
    metadata: responseMetadata(deps.clock.now()),
    ...(page.cursor
      ? { cursor: encodeCursor("cancellations", { store: page.cursor, from: 0, until: 0 }) }
      : {}),
  };
}

/** Removes a cancellation: runs it has not cancelled yet are left alone (its timer stops). */
export async function deleteCancellation(
  deps: CancellationDeps,
  id: string,
): Promise<z.infer<typeof cancellationAnswerSchema>> {
  const record = isUlid(id) ? await deps.cancellations.get(id) : undefined;
  if (!record || !(await deps.cancellations.delete(id))) {
    throw new NotFoundError(`cancellation ${id} not found`);
  }
  return { data: cancellationView(record), metadata: responseMetadata(deps.clock.now()) };
}
