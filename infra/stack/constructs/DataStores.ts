/**
 * Every table, queue, stream and bucket of the resource manifest (shared/resources.ts), built by
 * looping over it. Settings that the local runtime must share (keys, TTL attribute, secondary
 * indexes, visibility, retention, dead-letter wiring) come only from the manifest; this file adds
 * what only AWS has (billing mode, encryption, PITR, FIFO throughput mode, removal policies) and
 * what differs per environment (removal policy, stream capacity, payload expiry: infra/stack/settings.ts).
 */
import { Duration, Validations } from "aws-cdk-lib";
import {
  AttributeType,
  BillingMode,
  type GlobalSecondaryIndexProps,
  ProjectionType,
  Table,
} from "aws-cdk-lib/aws-dynamodb";
import { Stream, StreamEncryption, StreamMode, type StreamProps } from "aws-cdk-lib/aws-kinesis";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type LifecycleRule,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  BUCKETS,
  type BucketName,
  type BucketSpec,
  type IndexSpec,
  QUEUES,
  type QueueName,
  type QueueSpec,
  STREAMS,
  type StreamName,
  type StreamSpec,
  TABLES,
  type TableName,
  type TableSpec,
} from "../../../shared/resources.js";
import { type RemovalPolicyName, removalPolicyOf, type Settings } from "../settings.js";

/** Builds one construct per manifest entry, keeping the manifest's keys (and their types). */
export function fromManifest<K extends string, S, R>(
  manifest: Record<K, S>,
  make: (spec: S, key: K) => R,
): Record<K, R> {
  const out = {} as Record<K, R>;
  for (const key of Object.keys(manifest) as K[]) out[key] = make(manifest[key], key);
  return out;
}

/** Each manifest queue that another queue names as its dead-letter queue, with that source queue. */
export function deadLetterQueues(): { dlq: QueueName; source: QueueName }[] {
  return (Object.entries(QUEUES) as [QueueName, QueueSpec][]).flatMap(([source, spec]) =>
    spec.deadLetter ? [{ dlq: spec.deadLetter.queueId as QueueName, source }] : [],
  );
}

/** True when another manifest queue names `name` as its dead-letter queue. */
function isDeadLetterQueue(name: QueueName): boolean {
  return deadLetterQueues().some(({ dlq }) => dlq === name);
}

/**
 * A manifest index as a GSI. Sparse by construction: an item without the sort key attribute is not
 * copied into the index, so writers add and remove that attribute to move items in and out.
 */
function globalIndex(index: IndexSpec): GlobalSecondaryIndexProps {
  return {
    indexName: index.name,
    partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
    sortKey: {
      name: index.sortKey.name,
      type: index.sortKey.type === "N" ? AttributeType.NUMBER : AttributeType.STRING,
    },
    projectionType: ProjectionType.INCLUDE,
    nonKeyAttributes: [...index.projection],
  };
}

/**
 * Payload bucket prefixes whose objects expire (`payloadExpirationDays`), each written by the
 * adapter named: runs' events, outputs and step results (`DynamoRunStore`), event records
 * (`DynamoEventStore`), waits (`pauseItems`), batch and debounce buffers (`DynamoBufferStore`), and
 * the records kept for replay: poison messages (`core/poison.ts`, `poison/`) and the runner's
 * failure records, which Lambda writes under `aws/lambda/`. A run that outlives the age is kept whole: when the run store renews the DynamoDB expiry
 * of its items it writes their `runs/` objects again, which restarts their age (runExpiry.ts).
 */
export const EXPIRING_PAYLOAD_PREFIXES = [
  "runs/",
  "events/",
  "pauses/",
  "buffers/",
  "poison/",
  "aws/lambda/",
] as const;

export interface DataStoresProps {
  /** `retain`: tables (deletion-protected), bucket and stream outlive the stack; `destroy`: they don't. */
  readonly removalPolicy?: RemovalPolicyName;
  /** Capacity of the manifest's streams (default on-demand). */
  readonly kinesis?: Settings["kinesis"];
  /** Days after which the objects under EXPIRING_PAYLOAD_PREFIXES expire (default: never). */
  readonly payloadExpirationDays?: number;
}

export class DataStores extends Construct {
  readonly tables: Record<TableName, Table>;
  readonly queues: Record<QueueName, Queue>;
  readonly streams: Record<StreamName, Stream>;
  readonly buckets: Record<BucketName, Bucket>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: DataStoresProps = {},
  ) {
    super(scope, id);
    this.tables = fromManifest<TableName, TableSpec, Table>(TABLES, (spec) => this.table(spec));
    this.queues = this.buildQueues();
    this.streams = fromManifest<StreamName, StreamSpec, Stream>(STREAMS, (spec) => this.stream(spec));
    this.buckets = fromManifest<BucketName, BucketSpec, Bucket>(BUCKETS, (spec) => this.bucket(spec));
  }

  private table(spec: TableSpec): Table {
    const table = new Table(this, spec.id, {
      partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
      sortKey: { name: spec.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: spec.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Run state, step results and leases: never lost to a stack deletion, a replacement or a
      // DeleteTable call, unless the stage is a throwaway one.
      removalPolicy: removalPolicyOf(this.props.removalPolicy),
      deletionProtection: this.props.removalPolicy !== "destroy",
    });
    for (const index of spec.indexes ?? []) table.addGlobalSecondaryIndex(globalIndex(index));
    return table;
  }

  /** Dead-letter queues are referenced by manifest key, so build each queue after its DLQ. */
  private buildQueues(): Record<QueueName, Queue> {
    const built = new Map<QueueName, Queue>();
    const build = (name: QueueName): Queue => {
      const existing = built.get(name);
      if (existing) return existing;
      const spec: QueueSpec = QUEUES[name];
      const dlqName = spec.deadLetter?.queueId as QueueName | undefined;
      if (dlqName !== undefined && !(dlqName in QUEUES)) {
        throw new Error(`Queue ${name}: unknown dead-letter queue "${dlqName}" in shared/resources.ts`);
      }
      const queue = new Queue(this, spec.id, {
        fifo: spec.fifo || undefined,
        // High-throughput FIFO: deduplication and the throughput quota are per message group.
        // Deduplication ids are deterministic job ids, so content-based deduplication stays off.
        ...(spec.fifo && {
          fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
          deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
          contentBasedDeduplication: false,
        }),
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.seconds(spec.retentionSeconds),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue:
          spec.deadLetter && dlqName !== undefined
            ? { queue: build(dlqName), maxReceiveCount: spec.deadLetter.maxReceiveCount }
            : undefined,
      });
      if (isDeadLetterQueue(name)) {
        Validations.of(queue).acknowledge({
          id: "Serverless-SQSRedrivePolicy",
          reason:
            "This is a dead-letter queue; its messages wait for inspection and redrive, not another DLQ.",
        });
      }
      built.set(name, queue);
      return queue;
    };
    return fromManifest<QueueName, QueueSpec, Queue>(QUEUES, (_spec, name) => build(name));
  }

  private stream(spec: StreamSpec): Stream {
    const kinesis = this.props.kinesis ?? { mode: "onDemand" };
    // On-demand scales shards with the write rate (no capacity planning for event bursts);
    // provisioned is cheaper at a steady, known rate.
    const capacity: StreamProps =
      kinesis.mode === "provisioned"
        ? { streamMode: StreamMode.PROVISIONED, shardCount: kinesis.shards }
        : { streamMode: StreamMode.ON_DEMAND };
    return new Stream(this, spec.id, {
      ...capacity,
      encryption: StreamEncryption.MANAGED,
      removalPolicy: removalPolicyOf(this.props.removalPolicy),
    });
  }

  private bucket(spec: BucketSpec): Bucket {
    const bucket = new Bucket(this, spec.id, {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      lifecycleRules: [
        { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...this.expiryRules(),
      ],
      removalPolicy: removalPolicyOf(this.props.removalPolicy),
      // A non-empty bucket cannot be deleted; a throwaway stage empties it on the way out.
      autoDeleteObjects: this.props.removalPolicy === "destroy",
    });
    Validations.of(bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Private store reached only by Tideline's Lambda roles over TLS; server access logs would add a " +
        "log object per payload read/write (about one per large step output). Use CloudTrail S3 data " +
        "events when object-level audit is required.",
    });
    return bucket;
  }

  /** One expiry rule per prefix of EXPIRING_PAYLOAD_PREFIXES (none without an expiry). */
  private expiryRules(): LifecycleRule[] {
    const days = this.props.payloadExpirationDays;
    if (days === undefined) return [];
    return EXPIRING_PAYLOAD_PREFIXES.map((prefix) => ({
      id: `expire-${prefix.replace(/\/$/, "").replace(/\//g, "-")}`,
      prefix,
      expiration: Duration.days(days),
    }));
  }
}
