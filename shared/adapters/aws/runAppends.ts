/**
 * The run store's blind appends: steps stored and put on a run's stack without reading the run
 * first, guarded by conditions on the run item instead of its version (checkpoints, and the steps
 * of a fan-out settling side by side). See shared/core/engine/README.md.
 */
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { jobId, type RunRecord, type StepRecord } from "../../domain/schemas.js";
import type { AppendResult, AppendSteps, CompleteStep } from "../../ports/index.js";
import { type Item, isConditionalCheckFailed, type NamedTransactItem, transactWrite } from "./dynamo.js";

export interface AppendStore {
  doc: DynamoDBDocumentClient;
  table: string;
  encodeStep(step: StepRecord): Promise<Item>;
  decodeRun(item: Item): Promise<RunRecord>;
  getRun(runId: string): Promise<RunRecord | undefined>;
}

/** Puts of step items, each only if absent (named `step:<id>` for the transaction's reasons). */
export async function stepPuts(
  store: AppendStore,
  steps: StepRecord[],
): Promise<NamedTransactItem<string>[]> {
  return Promise.all(
    steps.map(async (s) => ({
      name: `step:${s.stepId}`,
      item: {
        Put: {
          TableName: store.table,
          Item: await store.encodeStep(s),
          ConditionExpression: "attribute_not_exists(sk)",
        },
      },
    })),
  );
}

/**
 * The run item's update of an append: version bumped, steps on the stack, bytes added, provided
 * the run is Running, the job pending and the state has room. A settle also takes the job out of
 * the pending set and requires the step not to be on the stack yet.
 */
function appendUpdate(
  runId: string,
  table: string,
  a: { jobId: string; stepIds: string[]; bytes: number; maxStateBytes: number; at: number },
  settle: boolean,
) {
  const conditions = [
    "#status = :running",
    "contains(#pending, :job)",
    "(attribute_not_exists(#bytes) OR #bytes <= :room)",
    ...(settle ? ["NOT contains(#stack, :step)"] : []),
  ];
  return {
    TableName: table,
    Key: { pk: `RUN#${runId}`, sk: "RUN" },
    UpdateExpression: `SET #version = #version + :one, #updatedAt = :at, #stack = list_append(#stack, :ids) ADD #bytes :bytes${settle ? " DELETE #pending :jobs" : ""}`,
    ConditionExpression: conditions.join(" AND "),
    ExpressionAttributeNames: {
      "#version": "version",
      "#updatedAt": "updatedAt",
      "#stack": "stack",
      "#bytes": "stateBytes",
      "#status": "status",
      "#pending": "pendingIds",
    },
    ExpressionAttributeValues: {
      ":one": 1,
      ":at": a.at,
      ":ids": a.stepIds,
      ":bytes": a.bytes,
      ":running": "Running",
      ":job": a.jobId,
      ":room": a.maxStateBytes - a.bytes,
      ...(settle ? { ":step": a.stepIds[0], ":jobs": new Set([a.jobId]) } : {}),
    },
  };
}

/** Why an append's run condition failed: the run ended or the job left, or it is full. */
async function refusal(
  store: AppendStore,
  runId: string,
  job: string,
  stepId?: string,
): Promise<"stale" | "full"> {
  const run = await store.getRun(runId);
  if (run?.status !== "Running" || (stepId !== undefined && run.stack.includes(stepId))) return "stale";
  return run.next.some((j) => jobId(j.job) === job) ? "full" : "stale";
}

export async function appendSteps(store: AppendStore, runId: string, a: AppendSteps): Promise<AppendResult> {
  // The condition cannot weigh `bytes` against a run that has no stateBytes yet.
  if (a.bytes > a.maxStateBytes) return "full";
  const update = appendUpdate(runId, store.table, { ...a, stepIds: a.steps.map((s) => s.stepId) }, false);
  const result = await transactWrite(store.doc, [
    ...(await stepPuts(store, a.steps)),
    { name: "run", item: { Update: update } },
  ]);
  if (result.ok) return "ok";
  const existing = a.steps
    .filter((s) => result.failedConditions.has(`step:${s.stepId}`))
    .map((s) => s.stepId);
  if (existing.length) return { stored: existing };
  return refusal(store, runId, a.jobId);
}

export async function completeStep(
  store: AppendStore,
  runId: string,
  c: CompleteStep,
): Promise<{ run: RunRecord } | "stale" | "full"> {
  const { stepId } = c.step;
  if (c.bytes > c.maxStateBytes) return "full";
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: await store.encodeStep(c.step),
        ConditionExpression: "attribute_not_exists(sk)",
      }),
    );
  } catch (err) {
    // Already there: an earlier delivery of this job stored it and stopped before the run.
    if (!isConditionalCheckFailed(err)) throw err;
  }
  try {
    const update = appendUpdate(runId, store.table, { ...c, stepIds: [stepId] }, true);
    const r = await store.doc.send(new UpdateCommand({ ...update, ReturnValues: "ALL_NEW" }));
    if (!r.Attributes) throw new Error(`run ${runId}: settling a step returned no run`);
    return { run: await store.decodeRun(r.Attributes) };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  return refusal(store, runId, c.jobId, stepId);
}
