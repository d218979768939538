import { Collapse, Text, UnstyledButton } from "@mantine/core";
import { type CSSProperties, useState } from "react";
import type { Span } from "../api/queries";
import { formatClock, formatDuration, ms } from "../lib/format";
import { type RerunControl, SpanDetails, spanDuration } from "./SpanDetails";
import { statusColor } from "./StatusBadge";
import classes from "./Timeline.module.css";

/** The run's time span every bar is placed in. */
interface Scale {
  start: number;
  end: number;
  /** When the run was queued: a step that ended before it is a result kept from an earlier run. */
  queued: number | null;
}

type BarKind = "step" | "sleep" | "wait";

function barKind(span: Span): BarKind {
  if (span.stepOp === "SLEEP") return "sleep";
  if (span.stepOp === "WAIT_FOR_EVENT" || span.stepOp === "WAIT_FOR_SIGNAL" || span.stepOp === "INVOKE") {
    return "wait";
  }
  return "step";
}

const OP_LABELS: Record<string, string> = {
  RUN: "step",
  SLEEP: "sleep",
  WAIT_FOR_EVENT: "wait for event",
  WAIT_FOR_SIGNAL: "wait for signal",
  INVOKE: "invoke",
  AI_GATEWAY: "AI request",
};

const spanStart = (span: Span): number | null => ms(span.startedAt) ?? ms(span.queuedAt);

/** A step of a rerun from a later step: its result was copied from the earlier run, not run again. */
function isMemoized(span: Span, queued: number | null): boolean {
  const end = ms(span.endedAt);
  return queued !== null && end !== null && end < queued;
}

/** The scale: from the run's queue time to its end (or now, while it runs); memoized steps aside. */
function scaleOf(root: Span, now: number): Scale {
  const queued = ms(root.queuedAt);
  const starts = [queued, ms(root.startedAt)];
  const ends: (number | null)[] = [ms(root.endedAt) ?? now];
  const visit = (span: Span) => {
    if (isMemoized(span, queued)) return;
    starts.push(spanStart(span));
    ends.push(ms(span.endedAt));
    span.childrenSpans.forEach(visit);
  };
  root.childrenSpans.forEach(visit);
  const start = Math.min(...starts.filter((t): t is number => t !== null));
  const end = Math.max(...ends.filter((t): t is number => t !== null), start + 1);
  return { start, end, queued };
}

/** What the span waits for or until, in words. */
function stepInfoText(span: Span): string | null {
  const info = span.stepInfo;
  if (!info) return null;
  switch (info.__typename) {
    case "SleepStepInfo":
      return `until ${formatClock(info.sleepUntil)}`;
    case "WaitForEventStepInfo": {
      const outcome = info.timedOut ? " · timed out" : info.foundEventID ? " · event received" : "";
      const timeout = ms(info.timeout) !== null ? ` · timeout ${formatClock(info.timeout)}` : "";
      return `for ${info.eventName}${timeout}${outcome}`;
    }
    case "WaitForSignalStepInfo": {
      const timeout = ms(info.timeout) !== null ? ` · timeout ${formatClock(info.timeout)}` : "";
      return `signal ${info.signal}${timeout}${info.timedOut ? " · timed out" : ""}`;
    }
    case "InvokeStepInfo":
      return `${info.functionID || "function"}${info.timedOut ? " · timed out" : ""}`;
    default:
      return null;
  }
}

/** Sorted by when each span began. */
function byStart(spans: Span[]): Span[] {
  return [...spans].sort((a, b) => (spanStart(a) ?? 0) - (spanStart(b) ?? 0));
}

/** What every row of one timeline shares. */
interface RowContext {
  scale: Scale;
  now: number;
  expanded: Set<string>;
  toggle(spanID: string): void;
  rerun?: RerunControl | undefined;
}

/** A list of rows: the run's steps, or a step's attempts (which offer no rerun). */
function TimelineRows({
  spans,
  label,
  attempt = false,
  ctx,
}: {
  spans: Span[];
  label: string;
  attempt?: boolean;
  ctx: RowContext;
}) {
  return (
    <ul className={classes.list} aria-label={label}>
      {spans.map((span) => (
        <TimelineRow key={span.spanID} span={span} attempt={attempt} ctx={ctx} />
      ))}
    </ul>
  );
}

function TimelineRow({ span, attempt, ctx }: { span: Span; attempt: boolean; ctx: RowContext }) {
  const { scale, now } = ctx;
  const open = ctx.expanded.has(span.spanID);
  const total = scale.end - scale.start;
  const start = spanStart(span);
  const end = ms(span.endedAt);
  const left = start === null ? 0 : ((start - scale.start) / total) * 100;
  const right = ((end ?? now) - scale.start) / total;
  const width = start === null ? 0 : Math.max(right * 100 - left, 0.4);
  const kind = attempt ? "step" : barKind(span);
  const duration = spanDuration(span, now);
  const info = stepInfoText(span);
  const op = span.stepOp ? (OP_LABELS[span.stepOp] ?? span.stepOp.toLowerCase()) : null;
  const memoized = isMemoized(span, scale.queued);
  const meta = [
    op,
    span.status.toLowerCase(),
    memoized ? "memoized from an earlier run" : formatDuration(duration),
    !attempt && (span.attempts ?? 0) > 1 ? `${span.attempts} attempts` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const panelId = `span-panel-${span.spanID.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const barStyle = {
    left: `${Math.min(left, 99.6)}%`,
    width: `${Math.min(width, 100 - Math.min(left, 99.6))}%`,
    "--bar-color": `var(--mantine-color-${statusColor(span.status)}-6)`,
  } as CSSProperties;
  // A step tried once is its attempt: attempts are listed when there were more.
  const attempts = attempt || span.childrenSpans.length < 2 ? [] : byStart(span.childrenSpans);

  return (
    <li className={attempt ? classes.attempt : undefined}>
      <UnstyledButton
        className={classes.row}
        data-testid={attempt ? "timeline-attempt-row" : "timeline-row"}
        data-status={span.status}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => ctx.toggle(span.spanID)}
      >
        <span className={classes.label}>
          <svg className={classes.chevron} viewBox="0 0 16 16" aria-hidden="true">
            <path d="M6 3l5 5-5 5" fill="none" stroke="currentColor" strokeWidth="2" />
          </svg>
          <span className={classes.text}>
            <span className={classes.name} title={span.name}>
              {span.name}
            </span>
            <span className={classes.meta}>{meta}</span>
            {info ? <span className={classes.info}>{info}</span> : null}
          </span>
        </span>
        <span className={classes.track} aria-hidden="true">
          {memoized ? null : (
            <span
              className={classes.bar}
              data-kind={kind}
              data-open={end === null && start !== null}
              style={barStyle}
            />
          )}
        </span>
      </UnstyledButton>
      <Collapse expanded={open} id={panelId} keepMounted={false}>
        {attempts.length > 0 ? (
          <TimelineRows spans={attempts} label={`Attempts of ${span.name}`} attempt ctx={ctx} />
        ) : null}
        <div className={classes.panel}>
          <SpanDetails span={span} rerun={attempt ? undefined : ctx.rerun} />
        </div>
      </Collapse>
    </li>
  );
}

function LegendSwatch({ kind, label }: { kind: BarKind; label: string }) {
  const style = { "--bar-color": "var(--mantine-color-gray-6)" } as CSSProperties;
  return (
    <span className={classes.legendItem}>
      <span className={classes.legendSwatch} aria-hidden="true">
        <span className={classes.bar} data-kind={kind} style={style} />
      </span>
      {label}
    </span>
  );
}

interface TimelineProps {
  /** The run's root span; its children are the rows. */
  root: Span;
  /** Rerun from a step (offered on completed steps). */
  rerun?: RerunControl;
}

/**
 * The run's steps on one time axis: a row per step (a button: Enter or Space shows its attempts,
 * output, error and metadata), bars placed by start and end, sleeps striped and waits outlined.
 */
export function Timeline({ root, rerun }: TimelineProps) {
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const now = Date.now();
  const scale = scaleOf(root, now);
  const rows = byStart(root.childrenSpans);
  const toggle = (spanID: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(spanID)) next.delete(spanID);
      else next.add(spanID);
      return next;
    });

  if (rows.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No steps yet.
      </Text>
    );
  }
  return (
    <div>
      <div className={classes.legend}>
        <LegendSwatch kind="step" label="Step" />
        <LegendSwatch kind="sleep" label="Sleep" />
        <LegendSwatch kind="wait" label="Wait (event, signal, invoke)" />
      </div>
      <div className={classes.axis} aria-hidden="true">
        <span className={classes.axisLabel}>Step</span>
        <span className={classes.axisTrack}>
          <span>{formatClock(new Date(scale.start).toISOString())}</span>
          <span>+{formatDuration(scale.end - scale.start)}</span>
        </span>
      </div>
      <TimelineRows spans={rows} label="Steps" ctx={{ scale, now, expanded, toggle, rerun }} />
    </div>
  );
}
