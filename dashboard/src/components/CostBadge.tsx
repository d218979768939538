import { Text, type TextProps, Tooltip } from "@mantine/core";
import { formatUsd } from "../lib/format";

/** An AWS cost in dollars, or a dash when nothing was recorded. */
export function CostBadge({ usd, ...props }: { usd: number | null | undefined } & TextProps) {
  if (usd === null || usd === undefined) {
    return (
      <Text span c="dimmed" {...props}>
        —
      </Text>
    );
  }
  return (
    <Tooltip label={`$${usd.toFixed(8)} (AWS list prices)`} withArrow>
      <Text span ff="monospace" {...props}>
        {formatUsd(usd)}
      </Text>
    </Tooltip>
  );
}
