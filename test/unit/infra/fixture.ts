/**
 * The synthesized Tideline stack the infra tests read: built once per test file (synthesis bundles
 * five Lambdas with esbuild, a few seconds) with the same feature flags `cdk synth` uses.
 */
import { readFileSync } from "node:fs";
import { App, CfnElement } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { NagPack } from "cdk-nag";
import type { IConstruct } from "constructs";
import { TidelineStack, type TidelineStackProps } from "../../../infra/stack/TidelineStack.js";

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

/**
 * `bundle: false` skips esbuild (CDK's `aws:cdk:bundling-stacks` context): the template is the
 * same but for the asset hashes. stack.test.ts bundles, so a handler that cannot be bundled fails there.
 */
export function synthesize(props: TidelineStackProps = {}, opts: { bundle?: boolean } = {}): Synthesized {
  const context = { ...cdkContext(), ...(opts.bundle === false ? { "aws:cdk:bundling-stacks": [] } : {}) };
  const app = new App({ context });
  const stack = new TidelineStack(app, "Tideline", props);
  const template = Template.fromStack(stack);
  const resources = (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources;
  return { stack, template, resources };
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
export function nagFindings(pack: NagPack, scope: IConstruct): string[] {
  return pack
    .validateScope(scope)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(", ")}`);
}
