import { describe, expect, it } from "vitest";
import { triggerMatches, triggerPatterns, wildcardProblem } from "../../../shared/domain/triggers.js";

describe("triggerPatterns", () => {
  it("expands a name into the exact name and every wildcard it satisfies", () => {
    expect(triggerPatterns("app/user.created")).toEqual(["app/user.created", "app/*", "app/user.*"]);
    expect(triggerPatterns("api/v1/users")).toEqual(["api/v1/users", "api/*", "api/v1/*"]);
    expect(triggerPatterns("simple")).toEqual(["simple"]);
  });
});

describe("triggerMatches", () => {
  it("matches across further delimiters after the wildcard's own", () => {
    expect(triggerMatches("app/*", "app/user.created")).toBe(true);
    expect(triggerMatches("app/user.*", "app/user.created")).toBe(true);
    expect(triggerMatches("app/*", "other/x")).toBe(false);
    expect(triggerMatches("app/user.created", "app/user.created")).toBe(true);
  });
});

describe("wildcardProblem", () => {
  it.each([["app/*"], ["app/user.*"], ["plain/name"]])("accepts %s", (name) => {
    expect(wildcardProblem(name)).toBeUndefined();
  });

  it.each([["*"], ["app*"], ["app/*/x"], ["a/b*"]])("rejects %s", (name) => {
    expect(wildcardProblem(name)).toBeDefined();
  });
});
