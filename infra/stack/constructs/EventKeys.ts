/**
 * The accepted event keys' sha256 hashes, in an SSM parameter the event API reads (through
 * Powertools Parameters, cached for a minute: lambdas/eventKeys.ts). Rotating a key is a change
 * of this parameter only: `cdk deploy -c eventKeyHashes=<new>,<old>` (or
 * `aws ssm put-parameter --overwrite`) takes effect within that minute, with no new function
 * version and no cold starts. The hashes are not secrets (a key cannot be recovered from its
 * sha256), so a free standard String list holds them.
 */
import { Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { ParameterTier, StringListParameter } from "aws-cdk-lib/aws-ssm";
import { Construct } from "constructs";
import { checkKeyHashes } from "../keyHashes.js";
import type { TidelineFunction } from "./TidelineFunction.js";

/** Names the parameter in the event API's environment (read by lambdas/eventKeys.ts). */
export const EVENT_KEY_HASHES_PARAM_ENV = "TIDELINE_EVENT_KEY_HASHES_PARAM";

/**
 * A standard parameter holds 4096 characters: 63 hashes of 64 hex digits and their 62 commas
 * (4094). More would need the advanced tier, which is billed.
 */
export const MAX_EVENT_KEY_HASHES = 63;

/** The value while no key is configured: not a digest, so it accepts no key (SSM refuses ""). */
export const NO_EVENT_KEYS = "none";

export interface EventKeysProps {
  /** sha256 hex of each accepted event key; none means the event API refuses every event. */
  readonly hashes: readonly string[];
  /** The function that reads them: it gets the parameter's name and `ssm:GetParameter` on it. */
  readonly reader: TidelineFunction;
}

export class EventKeys extends Construct {
  readonly parameter: StringListParameter;
  /** The hashes the parameter starts with (normalised to lowercase). */
  readonly hashes: readonly string[];

  constructor(scope: Construct, id: string, props: EventKeysProps) {
    super(scope, id);
    this.hashes = checkKeyHashes("eventKeyHashes", props.hashes, {
      max: MAX_EVENT_KEY_HASHES,
      where: "in a standard SSM parameter",
    });
    this.parameter = new StringListParameter(this, "Hashes", {
      // The stack's name keeps two stacks in one account and region apart.
      parameterName: `/tideline/${Stack.of(this).stackName}/event-key-hashes`,
      description: "sha256 hex of each event key the Tideline event API accepts (comma-separated)",
      stringListValue: this.hashes.length > 0 ? [...this.hashes] : [NO_EVENT_KEYS],
      tier: ParameterTier.STANDARD,
    });
    props.reader.addEnvironment(EVENT_KEY_HASHES_PARAM_ENV, this.parameter.parameterName);
    props.reader.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["ssm:GetParameter"], resources: [this.parameter.parameterArn] }),
    );
  }
}
