import { EmptyState as MantineEmptyState } from "@mantine/core";
import type { ReactNode } from "react";

/** What a page says when there is nothing to show, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <MantineEmptyState
      title={title}
      description={children}
      py="xl"
      data-testid="empty-state"
      icon={
        <svg
          width="32"
          height="32"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
          aria-hidden="true"
        >
          <path d="M2 14c3-4 6-4 10 0s7 4 10 0" />
          <path d="M2 19c3-4 6-4 10 0s7 4 10 0" opacity="0.5" />
        </svg>
      }
      withIndicatorBackground
    />
  );
}
