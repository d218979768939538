import { Group, Stack, Text, Title } from "@mantine/core";
import { useDocumentTitle } from "@mantine/hooks";
import { type ReactNode, useEffect, useRef } from "react";
import { useLocation } from "react-router";

/** The location the dashboard opened at (react-router's key): its page keeps the browser's focus. */
let openedAt: string | undefined;

/**
 * Moves focus to the page's heading when the route changes, so a keyboard or screen-reader user
 * lands on the new page (read out by its heading) instead of staying on the link they followed.
 * Keyed by the location rather than a first-run flag, so React's doubled effects in development
 * do not count as a navigation; a filter in the query string is not one either (same path).
 */
function useFocusOnNavigation() {
  const heading = useRef<HTMLHeadingElement>(null);
  const { pathname, key } = useLocation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the path changes, on purpose
  useEffect(() => {
    openedAt ??= key;
    if (key !== openedAt) heading.current?.focus();
  }, [pathname]);
  return heading;
}

interface PageProps {
  /** The level-1 heading, and the document title. */
  title: string;
  /** The heading's content when it is more than the title's text (same words, e.g. an id in monospace). */
  heading?: ReactNode;
  /** Buttons beside the heading. */
  actions?: ReactNode;
  /** A line under the heading. */
  subtitle?: ReactNode;
  children: ReactNode;
}

export function Page({ title, heading, actions, subtitle, children }: PageProps) {
  useDocumentTitle(`${title} · Tideline`);
  const focusTarget = useFocusOnNavigation();
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Group justify="space-between" align="center" gap="sm" wrap="wrap">
          <Title
            ref={focusTarget}
            tabIndex={-1}
            order={1}
            fz={{ base: "h3", sm: "h2" }}
            style={{ wordBreak: "break-word", outline: "none" }}
          >
            {heading ?? title}
          </Title>
          {actions ? <Group gap="xs">{actions}</Group> : null}
        </Group>
        {subtitle}
      </Stack>
      {children}
    </Stack>
  );
}

/** A heading that names a record by its id ("Run 01H…"): the id in monospace, wrapping anywhere. */
export function IdHeading({ prefix, id }: { prefix: string; id: string }) {
  return (
    <>
      {prefix}{" "}
      <Text span inherit ff="monospace" fz="0.8em" style={{ overflowWrap: "anywhere" }}>
        {id}
      </Text>
    </>
  );
}
