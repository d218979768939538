import { KinesisClient } from "@aws-sdk/client-kinesis";
import { describe, expect, it } from "vitest";
import { serialPutsOnEmulator } from "../../../shared/adapters/aws/serialPuts.js";

const named = (client: KinesisClient) =>
  client.middlewareStack.identify().some((m) => m.includes("tidelineSerialPuts"));

describe("Kinesis puts one at a time", () => {
  it("only against an emulator: AWS (no endpoint variable) keeps its puts concurrent", () => {
    expect(named(serialPutsOnEmulator(new KinesisClient({ region: "us-east-1" }), {}))).toBe(false);
    const emulated = serialPutsOnEmulator(new KinesisClient({ region: "us-east-1" }), {
      AWS_ENDPOINT_URL: "http://127.0.0.1:5000",
    });
    expect(named(emulated)).toBe(true);
  });
});
