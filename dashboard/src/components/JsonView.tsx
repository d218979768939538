import { Code, ScrollArea, Spoiler } from "@mantine/core";
import { prettyJson } from "../lib/format";

interface JsonViewProps {
  /** A value, or JSON text (shown parsed and indented). */
  value: unknown;
  /** Above this height (px) the view folds, with "Show all" to unfold it. */
  maxHeight?: number;
  /** Names the view: it becomes a region that the keyboard can focus and scroll. */
  "aria-label"?: string;
}

/** Pretty-printed JSON in a scrollable code block. */
export function JsonView({ value, maxHeight, "aria-label": label }: JsonViewProps) {
  const region = label ? { role: "region", "aria-label": label, tabIndex: 0 } : {};
  const code = (
    <ScrollArea type="auto" offsetScrollbars="x" viewportProps={region}>
      <Code block fz="xs" style={{ whiteSpace: "pre" }}>
        {prettyJson(value)}
      </Code>
    </ScrollArea>
  );
  if (maxHeight === undefined) return code;
  return (
    <Spoiler maxHeight={maxHeight} showLabel="Show all" hideLabel="Show less">
      {code}
    </Spoiler>
  );
}
