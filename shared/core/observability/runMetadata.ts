/**
 * `POST /v1/runs/{runId}/metadata`: metadata the SDK sends through the API (`step.metadata` outside
 * the step that runs it, `client.score()`, metadata for another run). The body is the SDK's:
 * `{ target: { run_id, step_id?, step_attempt?, span_id? }, metadata: [{ kind, op, values }] }`.
 */
import { monotonicFactory } from "ulid";
import * as z from "zod";
import { NotFoundError, ValidationError } from "../../domain/errors.js";
import { parseMessage } from "../../domain/messages.js";
import { jsonObject, type MetadataEntry, type RunMetadataRecord } from "../../domain/schemas.js";
import type { Clock, RunStore } from "../../ports/index.js";

/** Largest metadata body accepted per request (values are kept on the run's trace). */
export const METADATA_MAX_BYTES = 64 * 1024;

const bodySchema = z.object({
  target: z.object({
    run_id: z.string().min(1),
    step_id: z.string().min(1).optional(),
    step_index: z.number().int().optional(),
    step_attempt: z.number().int().min(0).optional(),
    span_id: z.string().min(1).optional(),
  }),
  metadata: z
    .array(
      z.object({
        kind: z.string().min(1).max(256),
        op: z.enum(["set", "merge"]).default("merge"),
        values: jsonObject,
      }),
    )
    .min(1)
    .max(100),
});

const newUlid = monotonicFactory();

function scopeOf(target: z.infer<typeof bodySchema>["target"]): MetadataEntry["scope"] {
  if (target.span_id !== undefined) return "extended_trace";
  if (target.step_id !== undefined) return target.step_attempt !== undefined ? "step_attempt" : "step";
  return "run";
}

export async function recordRunMetadata(
  deps: { runs: RunStore; clock: Clock },
  runId: string,
  body: string,
): Promise<{ records: number }> {
  if (Buffer.byteLength(body, "utf8") > METADATA_MAX_BYTES) {
    throw new ValidationError(`metadata body is larger than ${METADATA_MAX_BYTES} bytes`, 413);
  }
  const parsed = parseMessage(bodySchema, body);
  if (!parsed.ok) throw new ValidationError(`invalid metadata body: ${parsed.error}`);
  const { target, metadata } = parsed.value;
  if (target.run_id !== runId) {
    throw new ValidationError(`target.run_id ${target.run_id} does not match the path's run ${runId}`);
  }
  if (!(await deps.runs.getRun(runId))) throw new NotFoundError(`run ${runId} not found`);
  const now = deps.clock.now();
  const scope = scopeOf(target);
  const records: RunMetadataRecord[] = metadata.map((m) => ({
    runId,
    ...(target.step_id !== undefined ? { stepId: target.step_id } : {}),
    ...(target.step_attempt !== undefined ? { attempt: target.step_attempt } : {}),
    ...(target.span_id !== undefined ? { spanId: target.span_id } : {}),
    entry: { kind: m.kind, scope, op: m.op, values: m.values, updatedAt: now },
    writeId: newUlid(now),
  }));
  await deps.runs.addMetadata(records);
  return { records: records.length };
}
