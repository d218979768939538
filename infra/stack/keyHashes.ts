/**
 * The sha256 hashes of the keys a stack accepts (event keys: EventKeys.ts; API keys:
 * TidelineStack.ts), checked at synth so a typo fails `cdk synth` instead of locking callers out.
 */

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Where a list of hashes is kept, and how many fit there. */
export interface HashesLimit {
  readonly max: number;
  /** Completes "At most <max> <what> fit …". */
  readonly where: string;
}

/** Normalises the hashes (lowercase hex) and rejects what is not a sha256 digest or does not fit. */
export function checkKeyHashes(what: string, hashes: readonly string[], limit: HashesLimit): string[] {
  const normalised = hashes.map((h) => h.trim().toLowerCase());
  const bad = normalised.filter((h) => !SHA256_HEX.test(h));
  if (bad.length > 0) {
    throw new Error(`${what} must be sha256 hex digests (64 hex characters); got ${bad.join(", ")}`);
  }
  if (normalised.length > limit.max) {
    throw new Error(`At most ${limit.max} ${what} fit ${limit.where}`);
  }
  return normalised;
}
