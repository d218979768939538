/**
 * Event-name trigger matching (SEMANTICS 1). `*` may only stand as a whole last segment after
 * `/` or `.` and matches everything after that delimiter. Matching works the other way round:
 * an incoming name is expanded into every pattern it satisfies, and each is looked up exactly.
 *   "app/user.created" → ["app/user.created", "app/*", "app/user.*"]
 */
/** Bound on lookups per event: a name with hundreds of delimiters must not fan out into as many Queries. */
const MAX_PATTERNS = 32;

export function triggerPatterns(name: string): string[] {
  const out = [name];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "/") out.push(`${name.slice(0, i + 1)}*`);
  }
  for (let i = 0; i < name.length; i++) {
    if (name[i] === ".") out.push(`${name.slice(0, i + 1)}*`);
  }
  return [...new Set(out)].slice(0, MAX_PATTERNS);
}

/** Why a trigger event name with `*` can never match, or undefined when it is valid. */
export function wildcardProblem(event: string): string | undefined {
  const star = event.indexOf("*");
  if (star === -1) return undefined;
  if (event === "*") return "a bare * never matches; use a prefix such as app/*";
  const before = event[star - 1];
  if (star !== event.length - 1 || (before !== "/" && before !== ".")) {
    return "* may only be the whole last segment, after / or . (e.g. app/* or app/user.*)";
  }
  return undefined;
}

/** Whether a trigger's event (exact or wildcard) matches an incoming event name. */
export function triggerMatches(trigger: string, name: string): boolean {
  return trigger === name || (trigger.endsWith("*") && triggerPatterns(name).includes(trigger));
}
