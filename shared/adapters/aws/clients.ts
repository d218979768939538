/**
 * The SDK v3 clients every adapter and handler shares, created on first use and cached for the
 * process (a Lambda container reuses them across invocations). Endpoints come only from the
 * standard variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, ...) which the SDK reads itself,
 * so the same code talks to AWS, moto, DynamoDB Local or LocalStack.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { countAwsCalls } from "./callCounter.js";
import { createKinesisClient } from "./kinesisClient.js";
import { notifyOnSend } from "./sendNotifier.js";

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  /** Shares the DynamoDB client's middleware stack (and so its call counter). */
  readonly doc: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly scheduler: SchedulerClient;
}

export interface AwsClientOptions {
  /** Defaults to AWS_REGION, then us-east-1. */
  region?: string;
  /** Environment to read (tests pass a copy); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

/** Builds a set of lazily created clients; nothing is constructed until first use. */
export function createAwsClients(opts: AwsClientOptions = {}): AwsClients {
  const env = opts.env ?? process.env;
  const region = opts.region ?? env.AWS_REGION ?? "us-east-1";
  // Emulators serve buckets on a path (http://host:port/bucket), not as virtual-host subdomains.
  const forcePathStyle = Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
  const dynamodb = lazy(() => countAwsCalls(new DynamoDBClient({ region })));
  const doc = lazy(() =>
    DynamoDBDocumentClient.from(dynamodb(), { marshallOptions: { removeUndefinedValues: true } }),
  );
  // Sends are announced in-process (sendNotifier.ts): `tideline dev`'s pollers read at once.
  const sqs = lazy(() => notifyOnSend(countAwsCalls(new SQSClient({ region }))));
  const kinesis = lazy(() => createKinesisClient({ region, env }));
  const s3 = lazy(() => countAwsCalls(new S3Client({ region, forcePathStyle })));
  const scheduler = lazy(() => countAwsCalls(new SchedulerClient({ region })));
  return {
    get dynamodb() {
      return dynamodb();
    },
    get doc() {
      return doc();
    },
    get sqs() {
      return sqs();
    },
    get kinesis() {
      return kinesis();
    },
    get s3() {
      return s3();
    },
    get scheduler() {
      return scheduler();
    },
  };
}

let shared: AwsClients | undefined;

/**
 * Process-wide clients. Without options the same cached set is returned every time; with options a
 * new (still lazy) set is built, for callers that need a different region or environment.
 */
export function awsClients(opts?: AwsClientOptions): AwsClients {
  if (opts) return createAwsClients(opts);
  shared ??= createAwsClients();
  return shared;
}
