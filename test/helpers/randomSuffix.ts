import { randomBytes } from "node:crypto";

/** Lower-case and alphanumeric: valid in every resource name (S3 buckets included). */
export function randomSuffix(length = 8): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
}
