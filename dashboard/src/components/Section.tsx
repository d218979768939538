import { Stack, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** A titled part of a detail page (level-2 heading). */
export function Section({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Stack gap="xs" component="section" data-testid={testId}>
      <Title order={2} fz="h4">
        {title}
      </Title>
      {children}
    </Stack>
  );
}
