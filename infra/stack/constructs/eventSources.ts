/**
 * The three event-source mappings that drive Tideline: the events stream into the runner, the FIFO
 * work queue into the executor, the timers queue into the timer. All three report partial batch
 * failures, so one bad record never makes Lambda redo (or drop) the good ones around it.
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
import { acknowledgeWildcardResource } from "../nag.js";

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

/**
 * Events stream → runner. Events are independent (PartitionKey = internal id), so up to 10
 * batches per shard run at once. A failing batch is bisected down to the failing record; after
 * the retries, or once a record is 12 hours old (well inside the stream's 24-hour retention, so
 * it is never trimmed unseen), it is written to the payload bucket under `aws/lambda/` rather
 * than vanishing: every accepted event is either handled or kept for replay.
 */
export function connectRunner(runner: IFunction, stream: IStream, failureBucket: IBucket): void {
  runner.addEventSource(
    new KinesisEventSource(stream, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: 100,
      maxRecordAge: Duration.hours(12),
      parallelizationFactor: 10,
      onFailure: new S3FailureRecords(failureBucket),
    }),
  );
}

/**
 * Work queue (FIFO) → executor. FIFO mappings allow no batching window; a batch holds up to 10
 * jobs, and the handler fails a group's later jobs with the first failed one, so order holds.
 * Jobs that keep failing reach the work DLQ through the queue's redrive policy.
 */
export function connectExecutor(executor: IFunction, work: IQueue): void {
  executor.addEventSource(new SqsEventSource(work, { batchSize: 10, reportBatchItemFailures: true }));
  acknowledgeSqsDestination(executor);
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

/**
 * Timers queue (standard) → timer. A one-second window fills batches under load while keeping
 * wake-ups within about a second of their due time.
 */
export function connectTimer(timer: IFunction, timers: IQueue): void {
  timer.addEventSource(
    new SqsEventSource(timers, {
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
    }),
  );
  acknowledgeSqsDestination(timer);
}
