/**
 * The synthesized Tideline stack the infra tests read: built once per test file (synthesis bundles
 * five Lambdas with esbuild, a few seconds) with the same feature flags `cdk synth` uses.
 */
import { readFileSync } from "node:fs";
import { App, CfnElement, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { NagPack } from "cdk-nag";
import type { IConstruct } from "constructs";
import { expect, it } from "vitest";
import { resourceKey } from "../../../infra/stack/iamActions.js";
import { nagPacks } from "../../../infra/stack/nag.js";
import { TidelineStack, type TidelineStackProps } from "../../../infra/stack/TidelineStack.js";
import {
  type BucketName,
  FUNCTIONS,
  type FunctionName,
  type QueueName,
  type StreamName,
  TABLES,
  type TableName,
  type TableSpec,
} from "../../../shared/resources.js";

/** The manifest's function and table keys (shared/resources.ts), in manifest order. */
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly DependsOn?: string[];
}

export interface Synthesized {
  readonly stack: TidelineStack;
  readonly template: Template;
  readonly resources: Record<string, CfnResource>;
}

/** The context of cdk.json, so the test sees the template that gets deployed. */
export function cdkContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(new URL("../../../cdk.json", import.meta.url), "utf8"));
  return (cdkJson as { context: Record<string, unknown> }).context;
}

export interface AppOptions {
  /**
   * `false` skips esbuild (CDK's `aws:cdk:bundling-stacks` context): the template is the same but
   * for the asset hashes. stack.test.ts bundles, so a handler that cannot be bundled fails there.
   */
  readonly bundle?: boolean;
  /** More context (the settings' keys), over cdk.json's. */
  readonly context?: Record<string, unknown>;
}

/** An app with cdk.json's context, as `cdk synth` makes it. */
export function newApp(opts: AppOptions = {}): App {
  const bundling = opts.bundle === false ? { "aws:cdk:bundling-stacks": [] } : {};
  return new App({ context: { ...cdkContext(), ...bundling, ...opts.context } });
}

/** The template of a stack already built. */
export function synthesized(stack: TidelineStack): Synthesized {
  const template = Template.fromStack(stack);
  const resources = (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources;
  return { stack, template, resources };
}

/** One stack (id `Tideline` unless given) in an app of its own. */
export function synthesize(
  props: TidelineStackProps = {},
  opts: AppOptions & { readonly id?: string } = {},
): Synthesized {
  return synthesized(new TidelineStack(newApp(opts), opts.id ?? "Tideline", props));
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalIdOf(synth: Synthesized, construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  }
  return String(synth.stack.resolve(element.logicalId));
}

/** The template resource of a construct. */
export function resourceOf(synth: Synthesized, construct: IConstruct): CfnResource {
  const resource = synth.resources[logicalIdOf(synth, construct)];
  if (!resource) throw new Error(`${construct.node.path} is not in the template`);
  return resource;
}

/** Every resource of one CloudFormation type. */
export function resourcesOfType(synth: Synthesized, type: string): [string, CfnResource][] {
  return Object.entries(synth.resources).filter(([, r]) => r.Type === type);
}

/** A cdk-nag pack's unacknowledged findings under `scope`, as "rule: construct paths". */
function nagFindings(pack: NagPack, scope: IConstruct): string[] {
  return pack
    .validateScope(scope)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(", ")}`);
}

/**
 * One test per pack of nag.ts `nagPacks` (`title` gets the pack's name): no unacknowledged finding
 * under `scope()`, which is called when the test runs, after the file's `beforeAll` synthesized.
 */
export function itHasNoNagFindings(
  scope: () => IConstruct,
  title = "reports no unacknowledged %s findings",
): void {
  it.each(nagPacks().map((pack) => [pack.readPackName, pack] as const))(title, (_name, pack) => {
    expect(nagFindings(pack, scope())).toEqual([]);
  });
}

/** The acknowledgements (as `acknowledgements` gives them) whose reason is under 40 characters. */
export function unexplained(acknowledged: readonly [string, string][]): [string, string][] {
  return acknowledged.filter(([, reason]) => reason.trim().length < 40);
}

/** Every cdk-nag acknowledgement under `scope`, as [rule id, reason]. */
export function acknowledgements(scope: IConstruct): [string, string][] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>));
}

/**
 * What a private bucket's properties hold (`toMatchObject`): every public access blocked, and
 * S3-managed encryption.
 */
export const PRIVATE_BUCKET = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
  },
};

/** A function's environment variables as synthesized. */
export function environmentOf(synth: Synthesized, name: FunctionName): Record<string, unknown> {
  const fn = resourceOf(synth, synth.stack.functions[name].fn);
  return (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
}

/** One statement of an IAM policy. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** Every statement in the policies attached to a function's role (its grants), or to `role`. */
export function policyStatementsOf(synth: Synthesized, name: FunctionName | IConstruct): Statement[] {
  const role = typeof name === "string" ? synth.stack.functions[name].role : name;
  const roleId = logicalIdOf(synth, role);
  return Object.values(synth.resources)
    .filter((r) => r.Type === "AWS::IAM::Policy")
    .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The manifest key (infra/stack/iamActions.ts `resourceKey`) of each resource a grant can name. */
function resourceKeys(synth: Synthesized): Map<string, string> {
  const { data, scheduling, signingKey } = synth.stack;
  const keys = new Map<string, string>();
  const add = (arn: string, key: string) => keys.set(JSON.stringify(synth.stack.resolve(arn)), key);
  for (const name of TABLE_NAMES) {
    add(data.tables[name].tableArn, resourceKey.table(name));
    const spec: TableSpec = TABLES[name];
    for (const index of spec.indexes ?? []) {
      add(`${data.tables[name].tableArn}/index/${index.name}`, resourceKey.index(name, index.name));
    }
  }
  for (const name of Object.keys(data.queues) as QueueName[])
    add(data.queues[name].queueArn, resourceKey.queue(name));
  for (const name of Object.keys(data.streams) as StreamName[]) {
    add(data.streams[name].streamArn, resourceKey.stream(name));
  }
  for (const name of Object.keys(data.buckets) as BucketName[]) {
    add(data.buckets[name].bucketArn, resourceKey.bucket(name));
    add(data.buckets[name].arnForObjects("*"), resourceKey.objects(name));
  }
  add(scheduling.scheduleArns(), resourceKey.schedules);
  add(scheduling.role.roleArn, resourceKey.schedulerRole);
  add(signingKey.secretArn, resourceKey.signingKey);
  add("*", resourceKey.any);
  return keys;
}

/**
 * The grants of `role` as "action on <manifest key>" (the form infra/stack/iamActions.ts names
 * them in), read back from the synthesized policies, but for the function's own log group (logs:),
 * X-Ray (xray:) and the event keys' parameter (ssm:, eventKeys.test.ts).
 */
export function grantsOf(synth: Synthesized, role: IConstruct): string[] {
  const keys = resourceKeys(synth);
  return policyStatementsOf(synth, role).flatMap((s) => {
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    const actions = (Array.isArray(s.Action) ? s.Action : [s.Action]).filter(
      (a) => !/^(logs|xray|ssm):/.test(a),
    );
    return resources.flatMap((r) => {
      const key = keys.get(JSON.stringify(r));
      if (actions.length && !key) throw new Error(`${actions.join(", ")} on ${JSON.stringify(r)}`);
      return actions.map((a) => `${a} on ${key}`);
    });
  });
}
