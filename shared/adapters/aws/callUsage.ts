/**
 * The billed units of one AWS call, from its input: what a job's calls add to its run's cost
 * (domain/awsUsage.ts). DynamoDB units are estimated from item counts (estimatedUnits); SQS counts
 * a request per 64 KB chunk of the messages a call sends; Kinesis a PUT unit per 25 KB of each
 * record put; S3 a PUT-class request for PUT, COPY, POST and LIST, none for DELETE and a GET-class
 * one for the rest; a Scheduler schedule costs its one future invocation. Calls that are free or
 * not per-run (Secrets Manager, SSM reads, cached) add nothing.
 */
import { estimatedUnits, kinesisPutUnits, sqsRequests, type Usage } from "../../domain/awsUsage.js";

/** A call's input (or part of one), read without its type. */
export type Loose = Record<string, unknown>;
export const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null;
const length = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** Bytes of a string or binary input field. */
const bytes = (v: unknown): number =>
  typeof v === "string" ? Buffer.byteLength(v) : v instanceof Uint8Array ? v.byteLength : 0;

/** Bytes of the messages a SendMessage or SendMessageBatch carries (their bodies). */
function sqsBytes(operation: string, input: Loose): number {
  if (operation === "SendMessage") return bytes(input.MessageBody);
  if (operation !== "SendMessageBatch") return 0;
  return list(input.Entries).reduce<number>((n, e) => n + (isObject(e) ? bytes(e.MessageBody) : 0), 0);
}

/** A Kinesis record's size, as Kinesis counts it (PUT units, PutRecords' 5 MiB): its data and partition key. */
export const kinesisRecordBytes = (r: { Data?: unknown; PartitionKey?: unknown }): number =>
  bytes(r.Data) + bytes(r.PartitionKey);

/** PUT payload units of a PutRecord or PutRecords. */
function kinesisUnits(operation: string, input: Loose): number {
  const records = operation === "PutRecord" ? [input] : operation === "PutRecords" ? list(input.Records) : [];
  return records.reduce<number>((n, r) => n + (isObject(r) ? kinesisPutUnits(kinesisRecordBytes(r)) : 0), 0);
}

/** S3's request classes: DELETE is free, PUT, COPY, POST and LIST cost the most, GET and the rest less. */
function s3Usage(operation: string): Partial<Usage> {
  if (/^(Delete|Abort)/.test(operation)) return {};
  return /^(Put|Copy|Post|List|Create|Upload|Complete|Restore)/.test(operation)
    ? { s3Puts: 1 }
    : { s3Gets: 1 };
}

/** Items a DynamoDB call reads or writes, and whether it reads strongly. */
function dynamoItems(operation: string, input: Loose): { items: number; consistent: boolean } {
  const consistent = input.ConsistentRead === true;
  if (operation.startsWith("Transact")) return { items: length(input.TransactItems), consistent };
  if (operation === "BatchWriteItem" || operation === "BatchGetItem") {
    const perTable = isObject(input.RequestItems) ? Object.values(input.RequestItems) : [];
    let items = 0;
    let strong = false;
    for (const t of perTable) {
      if (Array.isArray(t)) items += t.length;
      else if (isObject(t)) {
        items += length(t.Keys);
        strong ||= t.ConsistentRead === true;
      }
    }
    return { items, consistent: strong };
  }
  return { items: 1, consistent };
}

export function usageOfCall(service: string, operation: string, input: unknown): Partial<Usage> {
  const args = isObject(input) ? input : {};
  switch (service) {
    case "DynamoDB": {
      const { items, consistent } = dynamoItems(operation, args);
      const { wru, rru } = estimatedUnits(operation, items, consistent);
      return { dynamoWru: wru, dynamoRru: rru };
    }
    case "SQS": {
      const requests = sqsRequests(sqsBytes(operation, args));
      return String(args.QueueUrl ?? "").endsWith(".fifo")
        ? { sqsFifoRequests: requests }
        : { sqsStandardRequests: requests };
    }
    case "Kinesis": {
      const units = kinesisUnits(operation, args);
      return units > 0 ? { kinesisPutUnits: units } : {};
    }
    case "S3":
      return s3Usage(operation);
    case "Scheduler":
      return operation === "CreateSchedule" ? { schedulerInvocations: 1 } : {};
    default:
      return {};
  }
}
