/**
 * The event keys' SSM parameter: what the stack creates, who may read it, what fits in it, and
 * that the event API is told its name (the handler side is test/unit/lambdas/eventKeys.test.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  EVENT_KEY_HASHES_PARAM_ENV,
  MAX_EVENT_KEY_HASHES,
  NO_EVENT_KEYS,
} from "../../../infra/stack/constructs/EventKeys.js";
import { TidelineStack } from "../../../infra/stack/TidelineStack.js";
import * as handlerSide from "../../../lambdas/eventKeys.js";
import { hashEventKey, parseEventKeyHashes } from "../../../shared/core/ingest/eventKeys.js";
import type { FunctionName } from "../../../shared/resources.js";
import {
  type CfnResource,
  environmentOf,
  FUNCTION_NAMES,
  newApp,
  policyStatementsOf,
  resourcesOfType,
  type Statement,
  type Synthesized,
  synthesize,
} from "./fixture.js";

const HASHES = ["a", "b"].map(hashEventKey);

let fixture: Synthesized;

beforeAll(() => {
  fixture = synthesize({ eventKeyHashes: HASHES.map((h) => h.toUpperCase()) }, { bundle: false });
});

function parameterOf(s: Synthesized): [string, CfnResource] {
  const parameters = resourcesOfType(s, "AWS::SSM::Parameter");
  expect(parameters).toHaveLength(1);
  return parameters[0] as [string, CfnResource];
}

function ssmStatements(s: Synthesized, entry: FunctionName): Statement[] {
  return policyStatementsOf(s, entry).filter((st) => JSON.stringify(st.Action).includes("ssm:"));
}

describe("EventKeys", () => {
  it("keeps the hashes, lowercased, in a free standard StringList parameter named after the stack", () => {
    const [, parameter] = parameterOf(fixture);

    expect(parameter.Properties).toMatchObject({
      Type: "StringList",
      Tier: "Standard",
      Name: "/tideline/Tideline/event-key-hashes",
      Value: HASHES.join(","),
    });
  });

  it("names the parameter in the event API's environment only", () => {
    const [id] = parameterOf(fixture);

    expect(environmentOf(fixture, "eventApi")[EVENT_KEY_HASHES_PARAM_ENV]).toEqual({ Ref: id });
    expect(
      FUNCTION_NAMES.filter((e) => e !== "eventApi" && environmentOf(fixture, e)[EVENT_KEY_HASHES_PARAM_ENV]),
    ).toEqual([]);
    expect(EVENT_KEY_HASHES_PARAM_ENV).toBe(handlerSide.EVENT_KEY_HASHES_PARAM_ENV);
  });

  it("lets the event API call ssm:GetParameter on that parameter alone, and no other function touch SSM", () => {
    const [id] = parameterOf(fixture);

    const statements = ssmStatements(fixture, "eventApi");

    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe("ssm:GetParameter");
    const resource = JSON.stringify(statements[0]?.Resource);
    expect(resource).toContain(`":parameter",{"Ref":"${id}"}`);
    expect(resource).not.toContain("*");
    expect(FUNCTION_NAMES.filter((e) => e !== "eventApi" && ssmStatements(fixture, e).length > 0)).toEqual(
      [],
    );
  });

  it("starts with a placeholder that accepts no key when no hash is given", () => {
    const [, parameter] = parameterOf(synthesize({}, { bundle: false }));

    expect(parameter.Properties.Value).toBe(NO_EVENT_KEYS);
    expect(parseEventKeyHashes(NO_EVENT_KEYS)).toEqual([]);
  });

  it("takes as many hashes as a standard parameter's 4096 characters hold, and refuses one more", () => {
    const many = Array.from({ length: MAX_EVENT_KEY_HASHES }, (_, i) => hashEventKey(`key-${i}`));
    const [, parameter] = parameterOf(synthesize({ eventKeyHashes: many }, { bundle: false }));

    expect(MAX_EVENT_KEY_HASHES).toBeGreaterThan(20);
    expect(String(parameter.Properties.Value).length).toBeLessThanOrEqual(4096);
    // One more hash and its comma would not fit.
    expect((MAX_EVENT_KEY_HASHES + 1) * 65 - 1).toBeGreaterThan(4096);
    const app = newApp({ bundle: false });
    expect(
      () => new TidelineStack(app, "TooMany", { eventKeyHashes: [...many, hashEventKey("one more")] }),
    ).toThrow(`At most ${MAX_EVENT_KEY_HASHES} eventKeyHashes`);
  });

  it("gives two stacks in one account different parameters", () => {
    const names = ["Blue", "Green"].map((id) => {
      const s = synthesize({}, { bundle: false, id });
      expect(s.stack.stackName).toBe(id);
      return parameterOf(s)[1].Properties.Name;
    });

    expect(names).toEqual(["/tideline/Blue/event-key-hashes", "/tideline/Green/event-key-hashes"]);
  });
});
