import { Code, Text } from "@mantine/core";
import type { CSSProperties, ReactNode } from "react";

/** A small caption over a value, for the detail grids. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: "anywhere" }}>
        {children}
      </Text>
    </div>
  );
}

/** A value after its dimmed label on one line ("Retries 4"), for the cards. */
export function Labeled({
  label,
  children,
  style,
}: {
  label: string;
  children: ReactNode;
  style?: CSSProperties;
}) {
  return (
    <Text size="sm" style={style}>
      {label ? (
        <Text span c="dimmed" size="sm">
          {label}{" "}
        </Text>
      ) : null}
      {children}
    </Text>
  );
}

/** What qualifies a value, as a word and code after it (" if <expression>", " per <key>"); nothing when unset. */
export function Qualifier({ word, code }: { word: string; code: string | null }) {
  if (!code) return null;
  return (
    <>
      {` ${word} `}
      <Code>{code}</Code>
    </>
  );
}
