import { describe, expect, it } from "vitest";
import { refusedAddress, syncUrl } from "../../../shared/core/registry/syncTarget.js";
import { ValidationError } from "../../../shared/domain/errors.js";

describe("refusedAddress: refused targets", () => {
  it.each([
    ["169.254.169.254", "link-local (cloud metadata)"],
    ["169.254.0.1", "link-local (cloud metadata)"],
    ["169.254.0.0", "link-local (cloud metadata)"],
    ["169.254.255.255", "link-local (cloud metadata)"],
    ["::ffff:169.254.169.254", "link-local (cloud metadata)"],
    ["::FFFF:169.254.169.254", "link-local (cloud metadata)"],
    ["::ffff:a9fe:a9fe", "link-local (cloud metadata)"],
    ["fe80::1", "link-local (cloud metadata)"],
    ["febf:ffff::1", "link-local (cloud metadata)"],
    ["fd00:ec2::254", "cloud metadata"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.255.255.255", "unspecified"],
    ["::", "unspecified"],
  ])("refuses %s as %s", (address, kind) => {
    expect(refusedAddress(address)).toBe(kind);
  });
});

describe("refusedAddress: allowed targets", () => {
  it.each([
    "10.0.0.1",
    "192.168.1.1",
    "172.16.0.1",
    "8.8.8.8",
    "169.253.255.255",
    "169.255.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "1.0.0.0",
    "2001:db8::1",
    "fd00:ec2::253",
    "fd00:ec2::255",
    "fec0::1",
    "fe7f:ffff::1",
    "::2",
    "::ffff:8.8.8.8",
  ])("allows %s", (address) => {
    expect(refusedAddress(address)).toBeUndefined();
  });
});

describe("syncUrl", () => {
  it("accepts an http URL", () => {
    expect(syncUrl("http://localhost:3000/api/inngest").href).toBe("http://localhost:3000/api/inngest");
  });

  it("accepts an https URL", () => {
    expect(syncUrl("https://app.example.com/api/inngest?x=1").href).toBe(
      "https://app.example.com/api/inngest?x=1",
    );
  });

  it("accepts the scheme in any case", () => {
    expect(syncUrl("HTTPS://app.example.com/").protocol).toBe("https:");
  });

  it.each([
    ["ftp://files.example.com/app", "ftp"],
    ["file:///etc/passwd", "file"],
    ["javascript:alert(1)", "javascript"],
    ["gopher://127.0.0.1:6379/_", "gopher"],
  ])("refuses %s with a 400 naming the scheme", (raw, scheme) => {
    const err = catchError(() => syncUrl(raw));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status: 400, message: `url must be http or https, not ${scheme}` });
  });

  it("refuses a string that is not a URL with a 400 that quotes it", () => {
    const err = catchError(() => syncUrl("not a url"));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status: 400, message: "url is not a valid URL: not a url" });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}
