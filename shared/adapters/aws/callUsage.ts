/**
 * The billed units of one AWS call, from its input: what a job's calls add to its run's cost
 * (domain/awsUsage.ts). DynamoDB units are estimated from item counts (estimatedUnits); SQS counts
 * a request per call (one 64 KB chunk); a Scheduler schedule costs its one future invocation.
 * Calls that are free or not per-run (Secrets Manager, SSM reads, cached) add nothing.
 */
import { estimatedUnits, type Usage } from "../../domain/awsUsage.js";

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null;
const length = (v: unknown): number => (Array.isArray(v) ? v.length : 0);

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
    case "SQS":
      return String(args.QueueUrl ?? "").endsWith(".fifo")
        ? { sqsFifoRequests: 1 }
        : { sqsStandardRequests: 1 };
    case "Kinesis":
      return { kinesisPutUnits: operation === "PutRecords" ? Math.max(1, length(args.Records)) : 1 };
    case "S3":
      return /^(Get|Head)/.test(operation) ? { s3Gets: 1 } : { s3Puts: 1 };
    case "Scheduler":
      return operation === "CreateSchedule" ? { schedulerInvocations: 1 } : {};
    default:
      return {};
  }
}
