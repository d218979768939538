import classes from "./SkipLink.module.css";

/** The page's main region: the skip link's target. */
export const MAIN_ID = "main";

/**
 * "Skip to content", the first stop of Tab on every page: it moves focus past the header and the
 * navigation. A button rather than a `#main` link, since the hash holds the route.
 */
export function SkipLink() {
  return (
    <button type="button" className={classes.skip} onClick={() => document.getElementById(MAIN_ID)?.focus()}>
      Skip to content
    </button>
  );
}
