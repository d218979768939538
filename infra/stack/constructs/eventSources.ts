/**
 * The event-source mappings that drive Tideline, one per stream or queue source in the manifest
 * (shared/resources.ts `FUNCTIONS[*].source`): today the events stream into the runner, the FIFO
 * work queue into the executor, the timers queue into the timer. Every number (batch size, window,
 * parallelization, retries, record age) is the manifest's, but the queue mappings' maximum
 * concurrency, which is a per-environment setting (infra/stack/settings.ts). All mappings report
 * partial batch failures, so one bad record never makes Lambda redo (or drop) the good ones around it.
 */
import { Duration, Validations } from "aws-cdk-lib";
import { Grant } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import {
  type DlqDestinationConfig,
  type IEventSourceDlq,
  type IFunction,
  StartingPosition,
} from "aws-cdk-lib/aws-lambda";
import { KinesisEventSource, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import {
  type FunctionSpec,
  QUEUES,
  type QueueSourceSpec,
  type QueueSpec,
  type StreamSourceSpec,
} from "../../../shared/resources.js";
import { acknowledgeWildcardResource } from "../nag.js";
import type { DataStores } from "./DataStores.js";

/**
 * Records the runner gave up on go to S3 with their full payload (an SQS/SNS destination would
 * keep only shard and sequence numbers, useless once the stream has trimmed them). Unlike CDK's
 * S3OnFailureDestination, which grants read/write/delete on the whole bucket, this grants only
 * the PutObject (and ListBucket) that Lambda needs to write the failure record.
 */
class S3FailureRecords implements IEventSourceDlq {
  constructor(private readonly bucket: IBucket) {}

  bind(_mapping: unknown, handler: IFunction): DlqDestinationConfig {
    const objects = this.bucket.arnForObjects("*");
    Grant.addToPrincipal({ grantee: handler, actions: ["s3:PutObject"], resourceArns: [objects] });
    Grant.addToPrincipal({
      grantee: handler,
      actions: ["s3:ListBucket"],
      resourceArns: [this.bucket.bucketArn],
    });
    if (handler.role) {
      acknowledgeWildcardResource(
        handler.role,
        objects,
        "Lambda names each failure record object itself (under aws/lambda/<mapping id>/), so PutObject " +
          "covers the bucket's objects.",
      );
    }
    return { destination: this.bucket.bucketArn };
  }
}

export interface SourceOptions {
  /**
   * Most concurrent invocations a queue mapping starts (SQS MaximumConcurrency, 2–1000). It caps
   * what the queue's consumer takes of the account's Lambda concurrency, so a backlog of long
   * executor jobs cannot take the concurrency the event API and the runner need. Unset: no cap.
   */
  readonly maxConcurrency?: number;
}

/** Connects `fn` to its manifest source; HTTP sources are routes (HttpEndpoints), not mappings. */
export function connectSource(
  fn: IFunction,
  spec: FunctionSpec,
  data: DataStores,
  options: SourceOptions = {},
): void {
  const { source } = spec;
  if (source.kind === "stream") {
    connectStream(fn, source, data.streams[source.stream], data.buckets[source.failureBucket]);
  } else if (source.kind === "queue") {
    checkVisibility(spec, QUEUES[source.queue]);
    connectQueue(fn, source, data.queues[source.queue], options.maxConcurrency);
  }
}

/**
 * Stream → consumer (the runner). Events are independent (PartitionKey = internal id), so several
 * batches per shard run at once. A failing batch is bisected down to the failing record; after the
 * retries, or once a record reaches the manifest's maximum age (well inside the stream's 24-hour
 * retention, so it is never trimmed unseen), it is written to the payload bucket under
 * `aws/lambda/` rather than vanishing: every accepted event is either handled or kept for replay.
 */
function connectStream(fn: IFunction, source: StreamSourceSpec, stream: IStream, failures: IBucket): void {
  fn.addEventSource(
    new KinesisEventSource(stream, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: source.batchSize,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: source.retryAttempts,
      maxRecordAge: Duration.hours(source.maxRecordAgeHours),
      parallelizationFactor: source.parallelizationFactor,
      onFailure: new S3FailureRecords(failures),
    }),
  );
}

/**
 * Queue → consumer. FIFO mappings allow no batching window (the work queue's executor takes one
 * job per invocation, so a slow app holds only its own message group); a standard queue may give
 * one to fill batches under load (the timers queue: about a second, so wake-ups stay close to their
 * due time). Messages that keep failing reach the queue's DLQ through its redrive policy.
 */
function connectQueue(
  fn: IFunction,
  source: QueueSourceSpec,
  queue: IQueue,
  maxConcurrency: number | undefined,
): void {
  const window = source.batchWindowSeconds;
  if (window !== undefined && QUEUES[source.queue].fifo) {
    throw new Error(
      `Queue source "${source.queue}" is FIFO: SQS mappings of FIFO queues take no batching window`,
    );
  }
  fn.addEventSource(
    new SqsEventSource(queue, {
      batchSize: source.batchSize,
      maxBatchingWindow: window === undefined ? undefined : Duration.seconds(window),
      reportBatchItemFailures: true,
      maxConcurrency,
    }),
  );
  acknowledgeSqsDestination(fn);
}

/**
 * A message still being handled must stay invisible, or Lambda delivers it a second time: the
 * queue's visibility timeout has to cover the consumer's whole timeout (Lambda rejects the mapping
 * otherwise). The manifest keeps the work queue at 960 s over the executor's 900 s.
 */
function checkVisibility(spec: FunctionSpec, queue: QueueSpec): void {
  if (queue.visibilityTimeoutSeconds < spec.timeoutSeconds) {
    throw new Error(
      `Queue ${queue.id}: visibility timeout ${queue.visibilityTimeoutSeconds} s is below the ` +
        `${spec.timeoutSeconds} s timeout of its consumer ${spec.id} (shared/resources.ts)`,
    );
  }
}

/** SQS mappings take no on-failure destination; the source queue's redrive policy is the DLQ. */
function acknowledgeSqsDestination(fn: IFunction): void {
  Validations.of(fn).acknowledge({
    id: "Serverless-LambdaEventSourceMappingDestination",
    reason:
      "Lambda supports no on-failure destination for SQS mappings; messages that keep failing move to " +
      "the queue's dead-letter queue (redrive policy from shared/resources.ts).",
  });
}
