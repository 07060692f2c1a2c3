/**
 * The host's CPU, memory, disk and network charts, drawn with uPlot. This module (and uPlot with
 * it) is loaded only when a host page opens, keeping the first paint of the overview small.
 * Each chart is created once and then fed with setData, so refreshes never flicker.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { SeriesData } from "../hooks/useSamples";

/** More points than pixels only cost time: above this, average into buckets for drawing. */
const MAX_DRAWN = 1500;
const HEIGHT = 180;

interface ChartSpec {
  id: string;
  title: string;
  metrics: { key: string; label: string; color: string }[];
  unit: "percent" | "bytes";
}

const CHARTS: ChartSpec[] = [
  { id: "cpu", title: "CPU", unit: "percent", metrics: [{ key: "cpu", label: "CPU %", color: "--accent" }] },
  {
    id: "memory",
    title: "Memory",
    unit: "percent",
    metrics: [{ key: "memory", label: "Memory %", color: "--accent" }],
  },
  {
    id: "disk",
    title: "Disk",
    unit: "percent",
    metrics: [{ key: "disk", label: "Disk %", color: "--accent" }],
  },
  {
    id: "net",
    title: "Network",
    unit: "bytes",
    metrics: [
      { key: "net.rx", label: "Received", color: "--accent" },
      { key: "net.tx", label: "Sent", color: "--high" },
    ],
  },
];

export function MetricCharts({ data, version }: { data: SeriesData; version: number }) {
  const scheme = useColorScheme();
  return (
    <div class="charts">
      {CHARTS.map((c) => (
        <Chart key={`${c.id}-${scheme}`} spec={c} data={data} version={version} />
      ))}
    </div>
  );
}

/** uPlot draws on a canvas with fixed colours: redraw the charts when the system scheme flips. */
function useColorScheme(): string {
  const [dark, setDark] = useState(() => matchMedia("(prefers-color-scheme: dark)").matches);
  useEffect(() => {
    const mq = matchMedia("(prefers-color-scheme: dark)");
    const on = () => setDark(mq.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  return dark ? "dark" : "light";
}

function Chart({ spec, data, version }: { spec: ChartSpec; data: SeriesData; version: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const n = data.ts.length;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const css = getComputedStyle(document.documentElement);
    const color = (v: string) => css.getPropertyValue(v).trim() || "#888";
    const axis = {
      stroke: color("--muted"),
      grid: { stroke: color("--border"), width: 1 },
      ticks: { show: false },
    };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: true }, y: spec.unit === "percent" ? { range: [0, 100] } : { auto: true } },
      axes: [
        axis,
        {
          ...axis,
          size: spec.unit === "bytes" ? 64 : 44,
          values: (_u, splits) => splits.map((v) => (spec.unit === "bytes" ? bytesPerSecond(v) : `${v} %`)),
        },
      ],
      series: [
        {},
        ...spec.metrics.map((m) => ({
          label: m.label,
          stroke: color(m.color),
          width: 1.5,
          points: { show: false },
          value: (_u: uPlot, v: number | null) =>
            v == null ? "—" : spec.unit === "bytes" ? bytesPerSecond(v) : `${v.toFixed(1)} %`,
        })),
      ],
    };
    const u = new uPlot(opts, toColumns(data, spec), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Created once per chart (and per colour scheme); data arrives through setData below.
  }, [spec]);

  useEffect(() => {
    plot.current?.setData(toColumns(data, spec));
  }, [version, data, spec]);

  const latest = spec.metrics
    .map((m) => {
      const v = data.cols[m.key]?.at(-1);
      return v == null
        ? null
        : `${m.label} ${spec.unit === "bytes" ? bytesPerSecond(v) : `${v.toFixed(1)} %`}`;
    })
    .filter(Boolean)
    .join(", ");

  return (
    <figure class="chart" data-testid={`chart-${spec.id}`} data-points={n}>
      <figcaption>
        <strong>{spec.title}</strong>{" "}
        <span class="muted small">{n === 0 ? "no samples in this range" : latest || "no values"}</span>
      </figcaption>
      <div
        ref={box}
        class="chart-plot"
        role="img"
        aria-label={`${spec.title} chart, ${n} samples. ${latest}`}
      />
    </figure>
  );
}

function toColumns(data: SeriesData, spec: ChartSpec): uPlot.AlignedData {
  const cols = spec.metrics.map((m) => data.cols[m.key] ?? []);
  const n = data.ts.length;
  if (n <= MAX_DRAWN) return [data.ts.slice(), ...cols.map((c) => c.slice())] as uPlot.AlignedData;
  const per = n / MAX_DRAWN;
  const xs: number[] = [];
  const ys: (number | null)[][] = cols.map(() => []);
  for (let b = 0; b < MAX_DRAWN; b++) {
    const start = Math.floor(b * per);
    const end = Math.min(n, Math.floor((b + 1) * per));
    xs.push(data.ts[end - 1]);
    cols.forEach((c, i) => {
      let sum = 0;
      let count = 0;
      for (let j = start; j < end; j++) {
        const v = c[j];
        if (v != null) {
          sum += v;
          count++;
        }
      }
      ys[i].push(count ? sum / count : null);
    });
  }
  return [xs, ...ys] as uPlot.AlignedData;
}

function bytesPerSecond(v: number): string {
  const units = ["B/s", "KB/s", "MB/s", "GB/s"];
  let x = Math.abs(v);
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${(Math.sign(v) * x).toFixed(x < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}
