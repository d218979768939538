import { afterEach, describe, expect, it, vi } from "vitest";
import type { TestModule } from "vitest/node";
import SummaryReporter from "../../setup/summaryReporter.js";

type State = "passed" | "failed" | "skipped";

/** A test file as the reporter reads it: its own state and its tests' states. */
const file = (state: State, tests: State[]) =>
  ({
    state: () => state,
    children: { allTests: () => tests.map((s) => ({ result: () => ({ state: s }) })) },
  }) as unknown as TestModule;

function summary(files: TestModule[]): string {
  const write = vi.spyOn(process.stdout, "write").mockReturnValue(true);
  new SummaryReporter().onTestRunEnd(files);
  return String(write.mock.calls.at(-1)?.[0]).trim();
}

afterEach(() => vi.restoreAllMocks());

describe("the suite's closing summary line", () => {
  it("counts each test by its state", () => {
    expect(
      summary([file("passed", ["passed", "passed"]), file("failed", ["passed", "failed", "skipped"])]),
    ).toBe("Tests: 3 passed, 1 failed, 1 skipped");
  });

  it("counts a file that failed to load as one failure", () => {
    expect(summary([file("failed", [])])).toBe("Tests: 0 passed, 1 failed, 0 skipped");
  });

  it("counts a file whose beforeAll failed (its tests skipped) as one failure", () => {
    expect(summary([file("failed", ["skipped", "skipped"])])).toBe("Tests: 0 passed, 1 failed, 2 skipped");
  });

  it("does not add a failure to a file whose failed tests already count", () => {
    expect(summary([file("failed", ["failed", "failed"])])).toBe("Tests: 0 passed, 2 failed, 0 skipped");
  });
});
