/**
 * The report's charts as Vega-Lite specifications (rendered to SVG by render.ts).
 *
 * Light and dark: every text, axis and grid colour is `currentColor`, so the SVG takes the page's
 * text colour (the HTML switches it with prefers-color-scheme); the series colours are mid-tones
 * that read on white and on near-black. Charts are drawn at a laptop's content width and scale
 * down with the page (the SVG keeps its viewBox).
 */
import type { ChartSpec } from "./render";
import type { BatchRow, HostPhase, HostTimeline, RunReport } from "./model";
import { PHASE_LABELS } from "./model";

export const CHART_WIDTH = 1040;

export const COLORS = {
  notice: "#4c9be8",
  drain: "#9b7fd4",
  outOfService: "#e8a33d",
  provisioning: "#e0703a",
  registering: "#3daa8c",
  failed: "#d64545",
  retry: "#e0703a",
  serving: "#3daa8c",
  accepting: "#4c9be8",
  floor: "#d64545",
  sessions: "#4c9be8",
  notices: "#9b7fd4",
  forced: "#d64545",
  voluntary: "#3daa8c",
  refused: "#e8a33d",
} as const;

/** Colours of the strategies when two runs are compared. */
export const RUN_COLORS = ["#4c9be8", "#e0703a", "#3daa8c", "#9b7fd4"];

const PHASES: HostPhase[] = ["notice", "drain", "outOfService", "provisioning", "registering"];

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

const CONFIG = {
  background: "transparent",
  font: FONT,
  view: { stroke: null },
  axis: {
    labelColor: "currentColor",
    titleColor: "currentColor",
    domainColor: "currentColor",
    tickColor: "currentColor",
    gridColor: "currentColor",
    gridOpacity: 0.14,
    domainOpacity: 0.45,
    tickOpacity: 0.45,
    labelFontSize: 12,
    titleFontSize: 12,
    titleFontWeight: "normal",
  },
  legend: {
    labelLimit: 420,
    labelColor: "currentColor",
    titleColor: "currentColor",
    labelFontSize: 12,
    titleFontSize: 12,
    orient: "top",
    direction: "horizontal",
    symbolStrokeWidth: 2,
  },
  title: { color: "currentColor", fontSize: 14, anchor: "start", fontWeight: "bold" },
  text: { color: "currentColor" },
} as const;

const TIME_AXIS = { title: "Time (UTC)", format: "%H:%M", labelFlush: true, tickCount: 12 } as const;

export interface TimeDomain {
  start: number;
  end: number;
}

const timeScale = (domain: TimeDomain) => ({ type: "utc" as const, domain: [domain.start, domain.end] });

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Up to this many hosts, every bar of the host timeline carries an ARIA description. */
export const LABELLED_HOSTS = 200;

export const MARK_LABELS = {
  deadline: "Notice deadline",
  leaves: "First host leaves service",
  returns: "Last host back in service",
  failed: "Failed",
  retry: "Retried",
} as const;

export function batchLabel(batch: number): string {
  return batch === 0 ? "Initial host" : `Batch ${batch}`;
}

interface RowAxis {
  field: string;
  order: string[];
  rowHeight: number;
  maxLabels: number;
}

const rowEncoding = ({ field, order, rowHeight, maxLabels }: RowAxis) => {
  const every = Math.max(1, Math.ceil(order.length / maxLabels));
  return {
    field,
    type: "nominal" as const,
    // Rows sort by a rank carried in every datum: a sort array of 1,000 names would compile into
    // one Vega expression too deep for the JavaScript stack.
    sort: { field: "rank", op: "min" as const },
    title: null,
    scale: { paddingInner: 0.25, paddingOuter: 0.1 },
    axis: { values: order.filter((_, i) => i % every === 0), labelFontSize: rowHeight >= 10 ? 11 : 10 },
  };
};

/** A layer of vertical ticks (notice deadlines) on the rows of a timeline. */
function deadlineLayer(
  values: { row: string; rank: number; t: number }[],
  y: ReturnType<typeof rowEncoding>,
) {
  return {
    data: { values: values.map((v) => ({ ...v, marker: MARK_LABELS.deadline })) },
    mark: { type: "tick", thickness: 2, bandSize: 0 },
    encoding: {
      x: { field: "t", type: "temporal" },
      y,
      color: {
        field: "marker",
        type: "nominal",
        title: null,
        scale: { domain: [MARK_LABELS.deadline], range: ["currentColor"] },
        legend: {
          orient: "bottom",
          symbolType: "M0,-1V1",
          symbolStrokeColor: "currentColor",
          symbolStrokeWidth: 2,
        },
      },
    },
  };
}

/** A layer of point markers with their own legend. */
function markerLayer(
  values: { row: string; rank: number; t: number; marker: string }[],
  y: ReturnType<typeof rowEncoding>,
  kinds: { label: string; shape: string; color: string }[],
  size: number,
) {
  const scale = (pick: (k: { label: string; shape: string; color: string }) => string) => ({
    domain: kinds.map((k) => k.label),
    range: kinds.map(pick),
  });
  return {
    data: { values },
    mark: { type: "point", filled: true, size, opacity: 1 },
    encoding: {
      x: { field: "t", type: "temporal" },
      y,
      shape: {
        field: "marker",
        type: "nominal",
        title: null,
        scale: scale((k) => k.shape),
        legend: { orient: "bottom" },
      },
      fill: {
        field: "marker",
        type: "nominal",
        title: null,
        scale: scale((k) => k.color),
        legend: { orient: "bottom" },
      },
      stroke: { field: "marker", type: "nominal", scale: scale((k) => k.color), legend: null },
    },
  };
}

function phaseLayer(
  values: { row: string; rank: number; phase: string; start: number; end: number }[],
  y: ReturnType<typeof rowEncoding>,
  domain: TimeDomain,
  phases: { label: string; color: string }[],
  axisOrient: "top" | "bottom",
) {
  return {
    data: { values: values.filter((v) => v.end > v.start) },
    mark: { type: "bar" },
    encoding: {
      x: {
        field: "start",
        type: "temporal",
        scale: timeScale(domain),
        axis: { ...TIME_AXIS, orient: axisOrient },
      },
      x2: { field: "end" },
      y,
      color: {
        field: "phase",
        type: "nominal",
        title: null,
        scale: { domain: phases.map((p) => p.label), range: phases.map((p) => p.color) },
        legend: { orient: "top" },
      },
    },
  };
}

/** Every host of a run in one row: its phases as bars, notice deadlines, retries and failures as marks. */
export function hostTimelineSpec(report: RunReport, domain: TimeDomain): ChartSpec {
  const hosts = report.hosts.filter((h) => h.spans.length > 0 || h.marks.length > 0);
  const rowHeight = Math.max(3, Math.min(12, Math.floor(1500 / Math.max(1, hosts.length))));
  const y = rowEncoding({ field: "row", order: hosts.map((h) => h.host), rowHeight, maxLabels: 60 });
  const spans = hosts.flatMap((h, rank) =>
    h.spans.map((s) => ({ row: h.host, rank, phase: PHASE_LABELS[s.phase], start: s.start, end: s.end })),
  );
  const deadlines = hosts.flatMap((h: HostTimeline, rank) =>
    h.marks.filter((m) => m.kind === "deadline").map((m) => ({ row: h.host, rank, t: m.t })),
  );
  const events = hosts.flatMap((h: HostTimeline, rank) =>
    h.marks
      .filter((m) => m.kind === "failed" || m.kind === "retry")
      .map((m) => ({ row: h.host, rank, t: m.t, marker: MARK_LABELS[m.kind] })),
  );
  return {
    $schema: SCHEMA,
    // A large pool's chart leaves out the per-mark descriptions (ARIA labels): they would make up
    // most of the report's size.
    config: hosts.length > LABELLED_HOSTS ? { ...CONFIG, aria: false } : CONFIG,
    width: CHART_WIDTH - 90,
    height: Math.max(60, hosts.length * rowHeight),
    layer: [
      phaseLayer(
        spans,
        y,
        domain,
        PHASES.map((p) => ({ label: PHASE_LABELS[p], color: COLORS[p] })),
        "top",
      ),
      deadlineLayer(deadlines, y),
      markerLayer(
        events,
        y,
        [
          { label: MARK_LABELS.retry, shape: "triangle-down", color: COLORS.retry },
          { label: MARK_LABELS.failed, shape: "cross", color: COLORS.failed },
        ],
        Math.max(20, rowHeight * 8),
      ),
    ],
    resolve: { scale: { color: "independent", shape: "independent", fill: "independent" } },
  } as ChartSpec;
}

const BATCH_PHASES = {
  notice: "Notice (hosts serving)",
  out: "Hosts out of service",
  span: "Batch started – finished",
};

/** One row per batch: its span, the notice window, first host out to last host back, the deadline. */
export function batchTimelineSpec(report: RunReport, domain: TimeDomain): ChartSpec {
  const rows = report.batches;
  const rowHeight = Math.max(8, Math.min(22, Math.floor(700 / Math.max(1, rows.length))));
  const y = rowEncoding({
    field: "row",
    order: rows.map((b) => batchLabel(b.batch)),
    rowHeight,
    maxLabels: 40,
  });
  const bars: { row: string; rank: number; phase: string; start: number; end: number }[] = [];
  const deadlines: { row: string; rank: number; t: number }[] = [];
  const moments: { row: string; rank: number; t: number; marker: string }[] = [];
  for (const [rank, row] of (rows as BatchRow[]).entries()) {
    const label = batchLabel(row.batch);
    const until = row.end ?? report.end;
    if (row.noticeStart !== null)
      bars.push({
        row: label,
        rank,
        phase: BATCH_PHASES.notice,
        start: row.noticeStart,
        end: row.firstLeft ?? until,
      });
    if (row.firstLeft !== null)
      bars.push({
        row: label,
        rank,
        phase: BATCH_PHASES.out,
        start: row.firstLeft,
        end: row.lastReturned ?? until,
      });
    if (row.deadline !== null) deadlines.push({ row: label, rank, t: row.deadline });
    if (row.firstLeft !== null)
      moments.push({ row: label, rank, t: row.firstLeft, marker: MARK_LABELS.leaves });
    if (row.lastReturned !== null)
      moments.push({ row: label, rank, t: row.lastReturned, marker: MARK_LABELS.returns });
  }
  const spans = rows
    .map((row, rank) => ({ row: batchLabel(row.batch), rank, start: row.start, end: row.end ?? report.end }))
    .filter((span) => span.start !== null);
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: CHART_WIDTH - 110,
    height: Math.max(40, rows.length * rowHeight),
    layer: [
      phaseLayer(
        bars,
        y,
        domain,
        [
          { label: BATCH_PHASES.notice, color: COLORS.notice },
          { label: BATCH_PHASES.out, color: COLORS.outOfService },
        ],
        "bottom",
      ),
      {
        data: { values: spans },
        mark: {
          type: "rule",
          strokeWidth: 1,
          opacity: 0.6,
          color: "currentColor",
          yOffset: rowHeight * 0.45,
        },
        encoding: { x: { field: "start", type: "temporal" }, x2: { field: "end" }, y },
      },
      deadlineLayer(deadlines, y),
      markerLayer(
        moments,
        y,
        [
          { label: MARK_LABELS.leaves, shape: "triangle-right", color: COLORS.failed },
          { label: MARK_LABELS.returns, shape: "triangle-left", color: COLORS.serving },
        ],
        70,
      ),
    ],
    resolve: { scale: { color: "independent", shape: "independent", fill: "independent" } },
  } as ChartSpec;
}

interface SeriesDef<P> {
  name: string;
  color: string;
  value: (point: P) => number | null;
  /** Dashed, so a series that runs on top of another (accepting on serving) leaves it visible. */
  dash?: number[];
  width?: number;
}

function seriesRows<P extends { t: number }>(points: readonly P[], defs: SeriesDef<P>[]) {
  const rows: { t: number; series: string; value: number }[] = [];
  for (const def of defs)
    for (const point of points) {
      const value = def.value(point);
      if (value !== null) rows.push({ t: point.t, series: def.name, value });
    }
  return rows;
}

export const CAPACITY_SERIES = {
  serving: "Hosts serving",
  accepting: "Accepting new sessions",
  outOfService: "Out of service",
  floor: "Floor (serving at start − batch size)",
} as const;

export function capacitySpec(report: RunReport, domain: TimeDomain): ChartSpec {
  const defs: SeriesDef<RunReport["capacity"][number]>[] = [
    { name: CAPACITY_SERIES.serving, color: COLORS.serving, value: (p) => p.serving, width: 3.5 },
    { name: CAPACITY_SERIES.accepting, color: COLORS.accepting, value: (p) => p.accepting, dash: [5, 3] },
    { name: CAPACITY_SERIES.outOfService, color: COLORS.outOfService, value: (p) => p.outOfService },
  ];
  const present = defs.filter((d) => report.capacity.some((p) => d.value(p) !== null));
  const floor = report.summary.floor;
  const names = [...present.map((d) => d.name), ...(floor !== null ? [CAPACITY_SERIES.floor] : [])];
  const colors = [...present.map((d) => d.color), ...(floor !== null ? [COLORS.floor] : [])];
  const total = report.summary.hosts ?? Math.max(1, ...report.capacity.map((p) => p.serving ?? 0));
  const color = {
    field: "series",
    type: "nominal" as const,
    title: null,
    scale: { domain: names, range: colors },
    legend: { orient: "top" as const },
  };
  // One style scale over every series, the floor included, so they share one legend.
  const styled = [
    ...present,
    ...(floor !== null ? [{ name: CAPACITY_SERIES.floor, dash: [6, 4], width: 1.5 }] : []),
  ];
  const style = (range: (number | number[])[]) => ({
    field: "series",
    type: "nominal" as const,
    legend: null,
    scale: { domain: styled.map((d) => d.name), range },
  });
  const strokeDash = style(styled.map((d) => d.dash ?? [1, 0]));
  const strokeWidth = style(styled.map((d) => d.width ?? 2));
  const layers: unknown[] = [
    {
      data: { values: seriesRows(report.capacity, present) },
      mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
      encoding: {
        x: { field: "t", type: "temporal", scale: timeScale(domain), axis: TIME_AXIS },
        y: { field: "value", type: "quantitative", title: "Hosts", scale: { domain: [0, total] } },
        color,
        strokeDash,
        strokeWidth,
      },
    },
  ];
  if (floor !== null)
    layers.push({
      data: { values: [{ series: CAPACITY_SERIES.floor, value: floor }] },
      mark: { type: "rule" },
      encoding: { y: { field: "value", type: "quantitative" }, color, strokeDash, strokeWidth },
    });
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: CHART_WIDTH - 70,
    height: 250,
    layer: layers,
  } as ChartSpec;
}

export const USER_SERIES = {
  sessions: "Sessions signed in",
  notices: "Notified (total)",
  forced: "Signed out by force (total)",
  voluntary: "Signed out after a notice (total)",
  refused: "Sign-ins refused (total)",
} as const;

export function usersSpec(report: RunReport, domain: TimeDomain): ChartSpec {
  type P = RunReport["users"][number];
  const defs: SeriesDef<P>[] = [
    { name: USER_SERIES.sessions, color: COLORS.sessions, value: (p) => p.sessions },
    { name: USER_SERIES.notices, color: COLORS.notices, value: (p) => p.notices },
    { name: USER_SERIES.voluntary, color: COLORS.voluntary, value: (p) => p.voluntary },
    { name: USER_SERIES.forced, color: COLORS.forced, value: (p) => p.forced },
    { name: USER_SERIES.refused, color: COLORS.refused, value: (p) => p.refused },
  ];
  const present = defs.filter((d) => report.users.some((p) => d.value(p) !== null));
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: CHART_WIDTH - 70,
    height: 250,
    data: { values: seriesRows(report.users, present) },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
    encoding: {
      x: { field: "t", type: "temporal", scale: timeScale(domain), axis: TIME_AXIS },
      y: { field: "value", type: "quantitative", title: "Users" },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: present.map((d) => d.name), range: present.map((d) => d.color) },
        legend: { orient: "top" },
      },
    },
  } as ChartSpec;
}

/** A run's name in a comparison: its strategy, else its rollout id. */
export function runName(report: RunReport, index: number): string {
  return report.strategy ?? report.rollout ?? `run ${index + 1}`;
}

export const COMPARISON_TITLES = {
  updated: "Hosts updated",
  serving: "Hosts serving",
} as const;

/** Compared runs on one axis of hours since each one's start: hosts updated, and hosts serving. */
export function comparisonSpec(
  reports: readonly RunReport[],
  figure: keyof typeof COMPARISON_TITLES,
): ChartSpec {
  const names = reports.map(runName);
  const rows: { hours: number; run: string; value: number }[] = [];
  reports.forEach((report, index) => {
    const hours = (t: number) => Math.round(((t - report.start) / 3_600_000) * 1000) / 1000;
    if (figure === "updated") {
      const returns = report.hosts
        .filter((h) => h.result === "updated" && h.returnedAt !== null)
        .map((h) => h.returnedAt as number)
        .sort((a, b) => a - b);
      rows.push({ hours: 0, run: names[index], value: 0 });
      returns.forEach((t, i) => rows.push({ hours: hours(t), run: names[index], value: i + 1 }));
      rows.push({ hours: hours(report.end), run: names[index], value: returns.length });
    } else {
      for (const point of report.capacity)
        if (point.serving !== null)
          rows.push({ hours: hours(point.t), run: names[index], value: point.serving });
    }
  });
  const total = Math.max(1, ...reports.map((r) => r.summary.hosts ?? 0));
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: COMPARISON_TITLES[figure],
    width: CHART_WIDTH / 2 - 80,
    height: 200,
    data: { values: rows },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
    encoding: {
      x: { field: "hours", type: "quantitative", title: "Hours since the start" },
      y: { field: "value", type: "quantitative", title: "Hosts", scale: { domain: [0, total] } },
      color: {
        field: "run",
        type: "nominal",
        title: null,
        scale: { domain: names, range: RUN_COLORS.slice(0, names.length) },
        legend: { orient: "top" },
      },
    },
  } as ChartSpec;
}
