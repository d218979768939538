/**
 * cdk-nag v3: rule packs run as CDK validation plugins during synthesis (a finding fails
 * `cdk synth`), and findings are acknowledged with `Validations.of(construct).acknowledge(...)`
 * next to the construct they cover, each with its reason.
 */
import { type Acknowledgment, type App, Stack, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from "cdk-nag";
import type { IConstruct } from "constructs";

/** The packs Tideline is held to (STYLE.md recommendation 12). */
export function nagPacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()];
}

/** Registers the packs on the app as validation plugins. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks());
}

/**
 * Renders a resolved CloudFormation value the way cdk-nag names it in a finding id
 * (`<LogicalId.Attr>` for Fn::GetAtt, `<LogicalId>` for Ref, `<Param>` for a Fn::Sub's `${Param}`, joins
 * flattened).
 */
function nagName(value: unknown): string {
  if (typeof value === "string") return value.replace(/\$\{/g, "<").replace(/}/g, ">");
  if (value !== null && typeof value === "object") {
    const node = value as Record<string, unknown>;
    const join = node["Fn::Join"];
    if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map(nagName).join(String(join[0]));
    const sub = node["Fn::Sub"];
    if (typeof sub === "string") return nagName(sub);
    const getAtt = node["Fn::GetAtt"];
    if (Array.isArray(getAtt)) return `<${nagName(getAtt[0])}.${nagName(getAtt[1])}>`;
    if (node.Ref !== undefined) return `<${nagName(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges AwsSolutions-IAM5 for one wildcard resource (e.g. `<bucket>/*`) granted to the
 * principal under `scope`, naming that exact resource so no other wildcard is covered.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const resource = nagName(Stack.of(scope).resolve(resourceArn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}

/**
 * The acknowledgements of a Lambda runtime that is not the newest: AwsSolutions-L1 and
 * Serverless-LambdaLatestVersion are the same check in the two packs, so one reason answers both.
 */
export function notLatestRuntime(reason: string): Acknowledgment[] {
  return [
    { id: "AwsSolutions-L1", reason },
    { id: "Serverless-LambdaLatestVersion", reason },
  ];
}
