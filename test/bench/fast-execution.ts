/**
 * Benchmark: how fast and how cheaply runs execute on `tideline dev` (real clock, emulated AWS,
 * the runtime and an official-SDK app in this one process):
 *   a. fan-out: `Promise.all` of N `step.run`s that each wait 1 s (N = 10, 100): send → Completed,
 *      and how many times each step body ran;
 *   b. step-to-step overhead of a 10-step function of empty steps: the gaps between consecutive
 *      step bodies starting (recorded in the app) and (Completed − send) / steps, p50 and p99,
 *      with the SDK's default settings (checkpointing on in inngest v4) and `checkpointing: false`;
 *   c. throughput: THROUGHPUT_RUNS (default 1,000) runs of a 3-step function sent at once (in
 *      chunks of 100 events): steps per second from the first send to the last run's end;
 *   d. the AWS calls of one run of a 1-, 5- and 20-step function, classic and checkpointed, and
 *      their list price per 1M steps (test/bench/costModel.ts).
 *
 *   npm run bench:fast
 *   RUNS=50 THROUGHPUT_RUNS=2000 FANOUT=10,100 npm run bench:fast
 *
 * Each part has a time budget so that the whole stays within a few minutes; a part that runs out
 * of it says how far it got. Completion is read from the REST API (`GET /v1/events/{id}/runs`,
 * polled every 10 ms) and, for the throughput part, from GraphQL's `totalCount`; part d reads no
 * API while it counts (the api handler also serves the SDK's checkpoints): it waits until the app
 * saw the function return and the handlers' calls have stopped, then checks the status.
 */
import { DynamoDBClient, GetItemCommand, type GetItemCommandInput } from "@aws-sdk/client-dynamodb";
import { Inngest } from "inngest";
import { invocationStats } from "../../infra/local/handlers.js";
import { silentLogger } from "../../infra/local/log.js";
import { startLocalRuntime } from "../../infra/local/runtime.js";
import { awsCalls } from "../../shared/adapters/aws/callCounter.js";
import { usageOfCall } from "../../shared/adapters/aws/callUsage.js";
import { awsClients } from "../../shared/adapters/aws/clients.js";
import { FUNCTIONS } from "../../shared/resources.js";
import { serveApp } from "../e2e/serveApp.js";
import { gqlAt, randomSuffix, waitFor, waitForFinalRun } from "../helpers/index.js";
import {
  addUsage,
  type Cost,
  costOf,
  costPerMillionSteps,
  gbSeconds,
  itemBytes,
  NO_USAGE,
  transactionWru,
  type Usage,
  type WireValue,
} from "./costModel.js";
import { handlerCalls, quiet } from "./quiet.js";
import { stats } from "./stats.js";

const RUNS = Number(process.env.RUNS ?? 30);
const THROUGHPUT_RUNS = Number(process.env.THROUGHPUT_RUNS ?? 1000);
const FANOUT = (process.env.FANOUT ?? "10,100").split(",").map(Number);
const CHAIN_STEPS = 10;
/** Time budgets (ms): a part that exceeds its budget reports what it measured so far. */
const BUDGET = {
  fanOut: (n: number) => 10_000 + n * 200,
  overheadPerMode: 20_000,
  throughput: 180_000,
  callsRun: 45_000,
};
const CALL_STEPS = [1, 5, 20] as const;

type Mode = "classic" | "default";
const MODES: Mode[] = ["default", "classic"];
const modeLabel = (m: Mode) => (m === "classic" ? "checkpointing: false" : "SDK default (checkpointing)");

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const money = (n: number) => `$${n.toFixed(n >= 10 ? 2 : n >= 0.1 ? 3 : 4)}`;

/* ------------------------------------------------------------------------------------------ */
/* Usage meters on the shared AWS clients (the handlers' clients: same process).               */
/* ------------------------------------------------------------------------------------------ */

interface Meter {
  /** Counting is on (part d only: the size lookups slow the handlers down). */
  enabled: boolean;
  /** DynamoDB request units by the brief's item rule (usageOfCall, as run costs: items of ≤ 1 KB). */
  itemRuleWru: number;
  itemRuleRru: number;
  /**
   * Size-aware units: DynamoDB Local's ConsumedCapacity (item sizes and index writes) for
   * everything but transactions, which it misprices (4 units per KB of one item, whatever the
   * count); for those, 2 WRUs per started KB of each item (sized from the request or, for an
   * update, delete or condition check, by reading the item back), plus half its index figure.
   */
  sizedWru: number;
  sizedRru: number;
  /** Size-aware units by operation. */
  unitsByOp: Map<string, number>;
  /** Sizes of the items written in transactions. */
  txItemBytes: number[];
  /** Of sizedWru: half of DynamoDB Local's index figure for transactions. */
  txIndexWru: number;
  /** Transactions still being sized (read back off the handlers' path). */
  pending: Promise<void>[];
  /** SQS send requests and deleted (= consumed) messages, by queue name. */
  sends: Map<string, number>;
  consumed: Map<string, number>;
  kinesisPutUnits: number;
}

const meter: Meter = newMeter();
function newMeter(): Meter {
  return {
    enabled: false,
    itemRuleWru: 0,
    itemRuleRru: 0,
    sizedWru: 0,
    sizedRru: 0,
    unitsByOp: new Map(),
    txItemBytes: [],
    txIndexWru: 0,
    pending: [],
    sends: new Map(),
    consumed: new Map(),
    kinesisPutUnits: 0,
  };
}
function resetMeter(enabled: boolean): void {
  Object.assign(meter, newMeter(), { enabled });
}

type Loose = Record<string, unknown>;
const WRITE_OPS = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);
const READ_OPS = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);
const queueName = (url: unknown) =>
  String(url ?? "")
    .split("/")
    .pop() ?? "";
const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

/** Reported units of one ConsumedCapacity entry: [table and total, of which indexes]. */
function reportedUnits(c: Loose): { total: number; indexes: number } {
  const total =
    Number(c.CapacityUnits ?? 0) || Number(c.ReadCapacityUnits ?? 0) + Number(c.WriteCapacityUnits ?? 0);
  const gsis = Object.values((c.GlobalSecondaryIndexes ?? {}) as Record<string, Loose>);
  const lsis = Object.values((c.LocalSecondaryIndexes ?? {}) as Record<string, Loose>);
  const indexes = [...gsis, ...lsis].reduce((n, x) => n + Number(x.CapacityUnits ?? 0), 0);
  return { total, indexes };
}

/** Bytes of each item a successful TransactWriteItems wrote, from the request or read back. */
async function transactionItemSizes(raw: DynamoDBClient, body: Loose): Promise<number[]> {
  const sizes: number[] = [];
  for (const t of (body.TransactItems ?? []) as Record<string, Loose>[]) {
    const [kind, spec] = Object.entries(t)[0] ?? [];
    if (!spec) continue;
    if (kind === "Put") sizes.push(itemBytes(spec.Item as Record<string, WireValue>));
    else {
      // Updated: its size now; deleted or only checked: its size if it is still there (else ≤ 1 KB).
      const got = await raw.send(
        new GetItemCommand({
          TableName: String(spec.TableName),
          Key: spec.Key as GetItemCommandInput["Key"],
          ConsistentRead: true,
        }),
      );
      sizes.push(got.Item ? itemBytes(got.Item as unknown as Record<string, WireValue>) : 0);
    }
  }
  return sizes;
}

function installMeters(): void {
  const clients = awsClients();
  // Not counted and not metered: reads items back to size them.
  const raw = new DynamoDBClient({ region: process.env.AWS_REGION ?? "us-east-1" });
  clients.dynamodb.middlewareStack.add(
    (next) => async (args) => {
      if (meter.enabled) (args.input as Loose).ReturnConsumedCapacity ??= "INDEXES";
      return next(args);
    },
    { step: "initialize", name: "benchCapacityRequest" },
  );
  clients.dynamodb.middlewareStack.add(
    (next) => async (args) => {
      if (!meter.enabled) return next(args);
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const op =
        String(request.headers?.["x-amz-target"] ?? "")
          .split(".")
          .pop() ?? "";
      const result = await next(args);
      if (!WRITE_OPS.has(op) && !READ_OPS.has(op)) return result;
      const text =
        typeof request.body === "string"
          ? request.body
          : request.body instanceof Uint8Array
            ? new TextDecoder().decode(request.body)
            : "{}";
      const body = JSON.parse(text || "{}") as Loose;
      const rule = usageOfCall("DynamoDB", op, body);
      meter.itemRuleWru += rule.dynamoWru ?? 0;
      meter.itemRuleRru += rule.dynamoRru ?? 0;
      const raw0 = (result.output as unknown as Loose).ConsumedCapacity;
      const reported = ((Array.isArray(raw0) ? raw0 : raw0 ? [raw0] : []) as Loose[]).map(reportedUnits);
      const count = (units: number) => {
        if (WRITE_OPS.has(op)) meter.sizedWru += units;
        else meter.sizedRru += units;
        bump(meter.unitsByOp, op, units);
      };
      if (op === "TransactWriteItems") {
        const indexes = reported.reduce((n, r) => n + r.indexes / 2, 0);
        // Sized off the handler's path, so that the measured durations stay the handler's own.
        meter.pending.push(
          transactionItemSizes(raw, body).then((sizes) => {
            meter.txItemBytes.push(...sizes);
            meter.txIndexWru += indexes;
            count(sizes.reduce((n, b) => n + transactionWru(b), 0) + indexes);
          }),
        );
      } else {
        const estimated = (rule.dynamoWru ?? 0) + (rule.dynamoRru ?? 0);
        count(reported.length > 0 ? reported.reduce((n, r) => n + r.total, 0) : estimated);
      }
      return result;
    },
    { step: "build", name: "benchCapacity" },
  );
  clients.sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!meter.enabled) return result;
      const input = args.input as Loose;
      const op = context.commandName;
      if (op === "SendMessageCommand" || op === "SendMessageBatchCommand")
        bump(meter.sends, queueName(input.QueueUrl));
      if (op === "DeleteMessageBatchCommand") {
        const ok = ((result.output as unknown as Loose).Successful ?? []) as unknown[];
        bump(meter.consumed, queueName(input.QueueUrl), ok.length);
      }
      if (op === "DeleteMessageCommand") bump(meter.consumed, queueName(input.QueueUrl));
      return result;
    },
    { step: "initialize", name: "benchSqs" },
  );
  clients.kinesis.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!meter.enabled) return result;
      const op = String(context.commandName).replace(/Command$/, "");
      meter.kinesisPutUnits += usageOfCall("Kinesis", op, args.input).kinesisPutUnits ?? 0;
      return result;
    },
    { step: "initialize", name: "benchKinesis" },
  );
}

/* ------------------------------------------------------------------------------------------ */
/* The app                                                                                    */
/* ------------------------------------------------------------------------------------------ */

async function setup() {
  const suffix = randomSuffix();
  const appId = `bench-fast-${suffix}`;
  const ev = (name: string) => `bench-fast-${suffix}/${name}`;
  const runtime = await startLocalRuntime({
    port: 0,
    prefix: `bench-fast-${suffix}`,
    log: silentLogger,
    // The handlers' own logs (retried jobs and the like) would bury the figures; TIDELINE_LOG_LEVEL=WARN shows them.
    env: { TIDELINE_LOG_LEVEL: process.env.TIDELINE_LOG_LEVEL ?? "SILENT" },
  });
  installMeters();
  const inngest = new Inngest({ id: appId, isDev: true, baseUrl: runtime.url });

  /** Step bodies run, by key; step start times, by run tag; runs whose function body returned. */
  const bodies = new Map<string, number>();
  const starts = new Map<string, number[]>();
  const returned = new Set<string>();
  const hit = (key: string) => bodies.set(key, (bodies.get(key) ?? 0) + 1);

  const fanOut = (n: number) =>
    inngest.createFunction(
      { id: `fan-${n}`, triggers: [{ event: ev(`fan-${n}`) }] },
      async ({ step, event }) => {
        const tag = String(event.data.tag);
        await Promise.all(
          Array.from({ length: n }, (_, i) =>
            step.run(`s${i}`, async () => {
              hit(`fan-${n}:${tag}:${i}`);
              await sleep(1000);
              return i;
            }),
          ),
        );
        returned.add(tag);
        return n;
      },
    );

  const chain = (id: string, steps: number, mode: Mode) =>
    inngest.createFunction(
      { id, triggers: [{ event: ev(id) }], ...(mode === "classic" ? { checkpointing: false } : {}) },
      async ({ step, event }) => {
        const tag = String(event.data.tag);
        for (let i = 0; i < steps; i++) {
          await step.run(`s${i}`, () => {
            const at = Date.now();
            const times = starts.get(tag) ?? [];
            times[i] ??= at;
            starts.set(tag, times);
            hit(`${id}:${tag}:${i}`);
            return i;
          });
        }
        returned.add(tag);
        return steps;
      },
    );

  const chainId = (steps: number, mode: Mode) => `chain-${steps}-${mode}`;
  const chainSizes = [...new Set([...CALL_STEPS, CHAIN_STEPS, 3])];
  const functions = [
    ...FANOUT.map(fanOut),
    ...chainSizes.flatMap((n) => MODES.map((m) => chain(chainId(n, m), n, m))),
  ];
  const app = await serveApp({ client: inngest, functions });
  const put = await fetch(app.url, { method: "PUT" });
  if (put.status !== 200) throw new Error(`sync failed: ${put.status} ${await put.text()}`);

  let seq = 0;
  const send = async (fnId: string, tag = `t${seq++}`) => {
    const { ids } = await inngest.send({ name: ev(fnId), data: { tag } });
    return { eventId: ids[0] ?? "", tag };
  };
  return {
    runtime,
    inngest,
    appId,
    ev,
    send,
    chainId,
    bodies,
    starts,
    returned,
    stop: async () => {
      await app.stop();
      await runtime.stop();
    },
  };
}

type Bench = Awaited<ReturnType<typeof setup>>;

async function cancelRunOf(b: Bench, eventId: string): Promise<void> {
  const res = await fetch(`${b.runtime.url}/v1/events/${eventId}/runs`);
  const run = res.ok ? ((await res.json()) as { data: { run_id: string }[] }).data[0] : undefined;
  if (run) await fetch(`${b.runtime.url}/v1/runs/${run.run_id}`, { method: "DELETE" });
}

/* ------------------------------------------------------------------------------------------ */
/* a. fan-out                                                                                 */
/* ------------------------------------------------------------------------------------------ */

async function fanOut(b: Bench): Promise<void> {
  console.log("\na. Fan-out: Promise.all of N step.run that each wait 1 s (SDK defaults), send → Completed");
  for (const n of FANOUT) {
    const t0 = performance.now();
    const { eventId, tag } = await b.send(`fan-${n}`);
    const budget = BUDGET.fanOut(n);
    let status = "not finished";
    try {
      status = (await waitForFinalRun(b.runtime.url, eventId, { intervalMs: 20, timeoutMs: budget })).status;
    } catch {
      await cancelRunOf(b, eventId);
    }
    const ms = performance.now() - t0;
    const runs = Array.from({ length: n }, (_, i) => b.bodies.get(`fan-${n}:${tag}:${i}`) ?? 0);
    const ran = runs.filter((c) => c > 0).length;
    const extra = runs.reduce((s, c) => s + Math.max(0, c - 1), 0);
    console.log(
      `  N=${String(n).padStart(3)}: ${status === "not finished" ? `not Completed within ${budget / 1000} s (cancelled)` : `${status} in ${fmt(ms / 1000, 2)} s`}` +
        `   step bodies: ${ran}/${n} ran, runs per body min ${Math.min(...runs)} max ${Math.max(...runs)}, ${extra} extra` +
        `   (ideal ≈ 1 s)`,
    );
  }
}

/* ------------------------------------------------------------------------------------------ */
/* b. step-to-step overhead                                                                   */
/* ------------------------------------------------------------------------------------------ */

async function overhead(b: Bench): Promise<void> {
  console.log(
    `\nb. Step-to-step overhead, ${CHAIN_STEPS} empty steps, runs one at a time (${RUNS} runs or ${BUDGET.overheadPerMode / 1000} s per mode):`,
  );
  for (const mode of MODES) {
    const id = b.chainId(CHAIN_STEPS, mode);
    const gaps: number[] = [];
    const perStep: number[] = [];
    const firstStep: number[] = [];
    let extraBodies = 0;
    let failed = 0;
    const deadline = Date.now() + BUDGET.overheadPerMode;
    let n = 0;
    for (; n < RUNS && Date.now() < deadline; n++) {
      const sentAt = Date.now();
      const { eventId, tag } = await b.send(id);
      const run = await waitForFinalRun(b.runtime.url, eventId, { intervalMs: 10, timeoutMs: 60_000 });
      const doneAt = Date.now();
      if (run.status !== "Completed") failed++;
      const t = b.starts.get(tag) ?? [];
      for (let i = 1; i < CHAIN_STEPS; i++) {
        const a = t[i - 1];
        const c = t[i];
        if (a !== undefined && c !== undefined) gaps.push(c - a);
      }
      if (t[0] !== undefined) firstStep.push(t[0] - sentAt);
      perStep.push((doneAt - sentAt) / CHAIN_STEPS);
      for (let i = 0; i < CHAIN_STEPS; i++)
        extraBodies += Math.max(0, (b.bodies.get(`${id}:${tag}:${i}`) ?? 0) - 1);
    }
    console.log(`  ${modeLabel(mode)}: ${n} runs${failed ? `, ${failed} not Completed` : ""}`);
    console.log(`    gap between consecutive step bodies starting: ${stats(gaps)}`);
    console.log(`    (Completed seen − send) / ${CHAIN_STEPS} steps:        ${stats(perStep)}`);
    console.log(`    send → first step body starts:                ${stats(firstStep)}`);
    if (extraBodies > 0) console.log(`    step bodies that ran more than once: ${extraBodies} extra runs`);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* c. throughput                                                                              */
/* ------------------------------------------------------------------------------------------ */

async function functionUuid(b: Bench, fnId: string): Promise<string> {
  const data = await gqlAt<{ functions: { id: string; slug: string }[] | null }>(
    b.runtime.url,
    "{ functions { id slug } }",
  );
  const fn = (data.functions ?? []).find((f) => f.slug === `${b.appId}-${fnId}`);
  if (!fn) throw new Error(`function ${fnId} not registered`);
  return fn.id;
}

/** The latest `ended_at` of the function's runs of the last hour (REST listing, read once, paged). */
async function lastEnded(b: Bench, fnId: string): Promise<number | undefined> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  let latest: number | undefined;
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({
      function_id: `${b.appId}-${fnId}`,
      status: "Completed",
      from,
      limit: "100",
    });
    if (cursor) q.set("cursor", cursor);
    const res = await fetch(`${b.runtime.url}/v1/runs?${q}`);
    if (!res.ok) return latest;
    const page = (await res.json()) as { data: { ended_at: string | null }[]; cursor?: string };
    for (const r of page.data) {
      const t = Date.parse(r.ended_at ?? "");
      if (!Number.isNaN(t)) latest = Math.max(latest ?? t, t);
    }
    cursor = page.cursor;
  } while (cursor);
  return latest;
}

async function throughput(b: Bench): Promise<void> {
  const mode: Mode = "default";
  const fnId = b.chainId(3, mode);
  const uuid = await functionUuid(b, fnId);
  // Only this part's runs (the warm-up ran the same function earlier).
  const from = new Date(Date.now() - 1000).toISOString();
  const count = async (status: string) =>
    (
      await gqlAt<{ runs: { totalCount: number } }>(
        b.runtime.url,
        `query ($from: Time!, $fn: [UUID!]) { runs(first: 1, orderBy: [{field: QUEUED_AT, direction: DESC}], filter: {from: $from, functionIDs: $fn, status: [${status}]}) { totalCount } }`,
        { from, fn: [uuid] },
      )
    ).runs.totalCount;

  console.log(
    `\nc. Throughput: ${THROUGHPUT_RUNS} runs of a 3-step function (SDK defaults) sent at once in chunks of 100`,
  );
  const t0 = Date.now();
  const sampler = process.env.BENCH_DEBUG
    ? setInterval(() => {
        const snap = awsCalls.snapshot();
        const pick = (k: string) => snap[k] ?? 0;
        console.log(
          `  t+${((Date.now() - t0) / 1000).toFixed(0)}s runner tx ${pick("runner:DynamoDB.TransactWriteItems")} runner sqs ${pick("runner:SQS.SendMessageBatch")} executor query ${pick("executor:DynamoDB.Query")} running ${invocationStats.running()} inv ${JSON.stringify(Object.fromEntries(Object.entries(invocationStats.snapshot()).map(([k, v]) => [k, v.invocations])))} kinesis get ${pick("Kinesis.GetRecords")} sqs recv ${pick("SQS.ReceiveMessage")}`,
        );
      }, 5000)
    : undefined;
  const chunks = Math.ceil(THROUGHPUT_RUNS / 100);
  await Promise.all(
    Array.from({ length: chunks }, (_, c) =>
      b.inngest.send(
        Array.from({ length: Math.min(100, THROUGHPUT_RUNS - c * 100) }, (_, i) => ({
          name: b.ev(fnId),
          data: { tag: `tp-${c}-${i}` },
        })),
      ),
    ),
  );
  const sentAll = Date.now();
  let done = 0;
  let failed = 0;
  const deadline = t0 + BUDGET.throughput;
  // Watch the app's own record of third steps first: counting runs through the API while they run
  // would load the emulator the runs share (a COUNT reads the whole window).
  const thirdSteps = () =>
    [...b.starts.entries()].filter(([tag, t]) => tag.startsWith("tp-") && t.length >= 3).length;
  while (Date.now() < deadline && thirdSteps() < THROUGHPUT_RUNS) await sleep(100);
  while (Date.now() < deadline) {
    [done, failed] = await Promise.all([count("COMPLETED"), count("FAILED")]);
    if (done + failed >= THROUGHPUT_RUNS) break;
    await sleep(250);
  }
  const observedAt = Date.now();
  if (sampler) clearInterval(sampler);
  const endedAt = (await lastEnded(b, fnId)) ?? observedAt;
  const lastStep = Math.max(
    0,
    ...[...b.starts.entries()].filter(([tag]) => tag.startsWith("tp-")).map(([, t]) => t[2] ?? 0),
  );
  const seconds = (endedAt - t0) / 1000;
  if (process.env.BENCH_DEBUG) {
    const tp = [...b.starts.entries()].filter(([tag]) => tag.startsWith("tp-")).map(([, t]) => t);
    for (const q of [10, 25, 50, 75, 90, 100]) {
      const pick = (k: number) => {
        const xs = tp.map((t) => (t[k] ?? 0) - t0).sort((a, z) => a - z);
        return xs[Math.min(xs.length - 1, Math.floor((q / 100) * xs.length))];
      };
      console.log(`  q${q}: step1 ${pick(0)} step2 ${pick(1)} step3 ${pick(2)}`);
    }
  }
  console.log(`  sending took ${fmt((sentAll - t0) / 1000, 2)} s`);
  if (done + failed < THROUGHPUT_RUNS) {
    console.log(
      `  after ${BUDGET.throughput / 1000} s only ${done} Completed and ${failed} Failed: ${fmt((done * 3) / ((observedAt - t0) / 1000))} steps/s so far`,
    );
  } else {
    console.log(
      `  ${done} Completed${failed ? `, ${failed} Failed` : ""}; first send → last run ended ${fmt(seconds, 2)} s ` +
        `(last step body ${fmt((lastStep - t0) / 1000, 2)} s): ${fmt((THROUGHPUT_RUNS * 3) / seconds)} steps/s, ${fmt(THROUGHPUT_RUNS / seconds)} runs/s`,
    );
  }
}

/* ------------------------------------------------------------------------------------------ */
/* d. AWS calls and cost                                                                      */
/* ------------------------------------------------------------------------------------------ */

const memoryOf = new Map<string, number>(Object.values(FUNCTIONS).map((f) => [f.entry, f.memoryMb]));

interface RunCost {
  steps: number;
  mode: Mode;
  status: string;
  calls: Record<string, number>;
  handlerCallTotal: number;
  /** Messages the SQS mappings consumed: on AWS one receive and one delete each. */
  consumed: number;
  /** DynamoDB by the item rule (2 WRUs per transaction item, 1 per other write, items ≤ 1 KB). */
  usage: Usage;
  /** The same with size-aware DynamoDB units (see Meter.sizedWru). */
  sizedUsage: Usage;
  unitsByOp: Map<string, number>;
  txItemBytes: number[];
  txIndexWru: number;
  invocations: Record<string, { invocations: number; billedMs: number }>;
}

async function measureRun(b: Bench, steps: number, mode: Mode): Promise<RunCost> {
  await quiet();
  awsCalls.reset();
  invocationStats.reset();
  resetMeter(true);
  const { eventId, tag } = await b.send(b.chainId(steps, mode));
  await waitFor(() => b.returned.has(tag), { timeoutMs: BUDGET.callsRun, intervalMs: 10 }).catch(
    () => undefined,
  );
  await quiet();
  await Promise.all(meter.pending);
  const calls = handlerCalls();
  const inv = invocationStats.snapshot();
  const m = { ...meter };
  resetMeter(false);
  const status = (
    await waitForFinalRun(b.runtime.url, eventId, { intervalMs: 50, timeoutMs: 5000 }).catch(() => ({
      status: "not finished",
    }))
  ).status;

  const isFifo = (name: string) => name.endsWith(".fifo");
  let fifo = 0;
  let standard = 0;
  for (const [q, n] of m.sends) {
    if (isFifo(q)) fifo += n;
    else standard += n;
  }
  // On AWS the mapping receives and deletes each message (assumption: one of each per message).
  let consumed = 0;
  for (const [q, n] of m.consumed) {
    consumed += n;
    if (isFifo(q)) fifo += 2 * n;
    else standard += 2 * n;
  }
  let lambdaGbSeconds = 0;
  let lambdaRequests = 0;
  for (const [entry, t] of Object.entries(inv)) {
    lambdaRequests += t.invocations;
    lambdaGbSeconds += gbSeconds(t.billedMs, memoryOf.get(entry) ?? 512);
  }
  const httpApiRequests = (inv.api?.invocations ?? 0) + (inv["event-api"]?.invocations ?? 0);
  const sum = (re: RegExp) => Object.entries(calls).reduce((n, [k, v]) => (re.test(k) ? n + v : n), 0);
  const usage = addUsage(NO_USAGE, {
    dynamoWru: m.itemRuleWru,
    dynamoRru: m.itemRuleRru,
    sqsFifoRequests: fifo,
    sqsStandardRequests: standard,
    kinesisPutUnits: m.kinesisPutUnits,
    lambdaRequests,
    lambdaGbSeconds,
    httpApiRequests,
    s3Puts: sum(/:S3\.(PutObject|CopyObject|ListObjects)/),
    s3Gets: sum(/:S3\.GetObject/),
    schedulerInvocations: sum(/:Scheduler\.CreateSchedule$/),
  });
  return {
    steps,
    mode,
    status,
    calls,
    handlerCallTotal: Object.values(calls).reduce((a, v) => a + v, 0),
    consumed,
    usage,
    sizedUsage: { ...usage, dynamoWru: m.sizedWru, dynamoRru: m.sizedRru },
    unitsByOp: m.unitsByOp,
    txItemBytes: m.txItemBytes,
    txIndexWru: m.txIndexWru,
    invocations: Object.fromEntries(
      Object.entries(inv).map(([k, v]) => [k, { invocations: v.invocations, billedMs: v.billedMs }]),
    ),
  };
}

function printCalls(calls: Record<string, number>): void {
  const entries = Object.entries(calls).sort(([a], [c]) => a.localeCompare(c));
  for (const [k, v] of entries) console.log(`      ${String(v).padStart(5)}  ${k}`);
}

function costLine(c: Cost): string {
  return (
    `${money(c.total).padStart(8)}  (DynamoDB ${money(c.dynamodb)}, SQS ${money(c.sqs)}, Kinesis ${money(c.kinesis)}, ` +
    `Lambda requests ${money(c.lambdaRequests)}, Lambda duration ${money(c.lambdaDuration)}, HTTP API ${money(c.httpApi)}` +
    `${c.s3 + c.scheduler > 0 ? `, S3 ${money(c.s3)}, Scheduler ${money(c.scheduler)}` : ""})`
  );
}

async function callsAndCost(b: Bench): Promise<void> {
  console.log("\nd. AWS calls of one run (the handlers' calls; no API polling while counting)");
  const results: RunCost[] = [];
  for (const mode of [...MODES].reverse()) {
    for (const steps of CALL_STEPS) results.push(await measureRun(b, steps, mode));
  }
  console.log(
    "   mode                          steps  status      calls  per step  +SQS recv/del on AWS  per step  λ invocations  λ billed ms",
  );
  for (const r of results) {
    const withMapping = r.handlerCallTotal + 2 * r.consumed;
    const inv = Object.values(r.invocations).reduce((n, v) => n + v.invocations, 0);
    const ms = Object.values(r.invocations).reduce((n, v) => n + v.billedMs, 0);
    console.log(
      `   ${modeLabel(r.mode).padEnd(29)} ${String(r.steps).padStart(5)}  ${r.status.padEnd(10)} ${String(r.handlerCallTotal).padStart(6)}  ${fmt(r.handlerCallTotal / r.steps).padStart(8)}  ${String(withMapping).padStart(20)}  ${fmt(withMapping / r.steps).padStart(8)}  ${String(inv).padStart(13)}  ${String(ms).padStart(11)}`,
    );
  }
  for (const mode of [...MODES].reverse()) {
    const r5 = results.find((r) => r.mode === mode && r.steps === 5);
    const r20 = results.find((r) => r.mode === mode && r.steps === 20);
    if (!r5 || !r20) continue;
    const marginal = (r20.handlerCallTotal - r5.handlerCallTotal) / 15;
    const marginalAws =
      (r20.handlerCallTotal + 2 * r20.consumed - (r5.handlerCallTotal + 2 * r5.consumed)) / 15;
    console.log(
      `   ${modeLabel(mode)}: marginal calls per extra step (calls20 − calls5) / 15 = ${fmt(marginal, 2)} (${fmt(marginalAws, 2)} with the SQS receive and delete)`,
    );
  }
  for (const r of results.filter((x) => x.steps === 5)) {
    console.log(`   calls of the 5-step run, ${modeLabel(r.mode)} (handler:Service.Operation):`);
    printCalls(r.calls);
    console.log(
      `      Lambda: ${Object.entries(r.invocations)
        .map(([k, v]) => `${k} ${v.invocations}× ${v.billedMs} ms`)
        .join(", ")}`,
    );
  }

  console.log(
    "\n   List price per 1M steps (us-east-1, on-demand): DynamoDB $1.25/M WRU, $0.25/M RRU; SQS FIFO $0.50/M and" +
      "\n   standard $0.40/M requests, counting on AWS one ReceiveMessage and one DeleteMessage per consumed message" +
      "\n   (the Lambda mapping's; its empty polls are a fixed cost, not counted); Kinesis $0.014/M PUT payload units" +
      "\n   (shard-hours apart); Lambda $0.20/M requests + $0.0000166667/GB-s at the manifest's memory sizes and the" +
      "\n   handler durations measured here (in-process against emulators, SDK app in the same process: an estimate," +
      "\n   likely high); API Gateway HTTP API $1.00/M requests (event sends, checkpoints); S3 and Scheduler at list price.",
  );
  for (const r of results) {
    console.log(
      `   ${modeLabel(r.mode).padEnd(29)} ${String(r.steps).padStart(2)} steps: ${costLine(costPerMillionSteps(r.usage, r.steps))}`,
    );
  }
  for (const mode of [...MODES].reverse()) {
    const r5 = results.find((r) => r.mode === mode && r.steps === 5);
    const r20 = results.find((r) => r.mode === mode && r.steps === 20);
    if (!r5 || !r20) continue;
    const c5 = costOf(r5.usage);
    const c20 = costOf(r20.usage);
    const marginal = Object.fromEntries(
      Object.keys(c20).map((k) => [k, ((c20[k as keyof Cost] - c5[k as keyof Cost]) / 15) * 1_000_000]),
    ) as unknown as Cost;
    console.log(`   ${modeLabel(mode).padEnd(29)} marginal (20 vs 5): ${costLine(marginal)}`);
  }
  console.log(
    "\n   DynamoDB by item size instead (DynamoDB Local's ConsumedCapacity with index writes for single-item calls;" +
      "\n   transactions, which it misprices, at 2 WRUs per started KB of each item, read back, plus half its index figure):",
  );
  for (const r of results.filter((x) => x.steps === 20 || x.steps === 5)) {
    const sizes = [...r.txItemBytes].sort((a, c) => a - c);
    const avg = sizes.reduce((n, v) => n + v, 0) / Math.max(1, sizes.length);
    console.log(
      `   ${modeLabel(r.mode).padEnd(29)} ${String(r.steps).padStart(2)} steps: ${fmt(r.sizedUsage.dynamoWru)} WRU, ${fmt(r.sizedUsage.dynamoRru)} RRU ` +
        `(item rule ${fmt(r.usage.dynamoWru)} WRU, ${fmt(r.usage.dynamoRru)} RRU); transaction items avg ${fmt(avg, 0)} B, max ${sizes.at(-1) ?? 0} B`,
    );
    const byOp = [...r.unitsByOp].sort(([, a], [, c]) => c - a);
    console.log(
      `      units by operation: ${byOp.map(([k, v]) => `${k} ${fmt(v)}`).join(", ")} (of which transactions' index writes ${fmt(r.txIndexWru)})`,
    );
    console.log(`      per 1M steps: ${costLine(costPerMillionSteps(r.sizedUsage, r.steps))}`);
  }
}

/* ------------------------------------------------------------------------------------------ */

async function main(): Promise<void> {
  const started = Date.now();
  const b = await setup();
  try {
    // Warm-up: one run of each mode (module loading, first connections, the function cache).
    for (const mode of MODES) {
      const { eventId } = await b.send(b.chainId(3, mode), `warm-${mode}`);
      await waitForFinalRun(b.runtime.url, eventId, { intervalMs: 20, timeoutMs: 60_000 });
    }
    console.log(
      `tideline dev and the app ready in ${fmt((Date.now() - started) / 1000, 1)} s (after 2 warm-up runs)`,
    );
    await callsAndCost(b);
    await overhead(b);
    await fanOut(b);
    await quiet(500, 60_000);
    await throughput(b);
  } finally {
    await b.stop();
  }
  console.log(`\nbench took ${fmt((Date.now() - started) / 1000, 1)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
