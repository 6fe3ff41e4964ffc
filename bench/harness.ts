/**
 * A tiny benchmark harness. Every benchmark is a file `bench/<name>.bench.ts` whose default export is
 * `async function (): Promise<void>` that measures a baseline and its subject IN THE SAME RUN and prints a
 * table of ratios with `printTable`. No timed assertions anywhere: numbers are for people to read.
 *
 *   import { measure, printTable, ratio } from "./harness";
 *   export default async function (): Promise<void> {
 *     const base = await measure(() => JSON.stringify(doc), { seconds: 0.5 });
 *     const ours = await measure(() => renderTrustPolicy(doc), { seconds: 0.5 });
 *     printTable("render", ["case", "ops/s", "median µs", "vs baseline"], [
 *       ["JSON.stringify (baseline)", fmt(base.opsPerSecond), fmt(base.medianMicros), "1.00x"],
 *       ["renderTrustPolicy", fmt(ours.opsPerSecond), fmt(ours.medianMicros), ratio(ours, base)],
 *     ]);
 *   }
 */

/** How long to measure: a fixed number of iterations, or a time budget in seconds (default 0.5 s). */
export interface MeasureOptions {
  /** Run exactly this many timed iterations (after warm-up). */
  iterations?: number;
  /** Run timed iterations until this many seconds have passed. Defaults to 0.5 when `iterations` is absent. */
  seconds?: number;
  /** Untimed warm-up iterations first. Defaults to 10% of `iterations`, or 50. */
  warmup?: number;
}

/** What `measure` observed. */
export interface Measurement {
  /** Timed iterations run. */
  iterations: number;
  /** Iterations per second over the whole timed run. */
  opsPerSecond: number;
  /** Median duration of one iteration, in microseconds. */
  medianMicros: number;
  /** 95th percentile duration of one iteration, in microseconds. */
  p95Micros: number;
  /** Total timed run, in milliseconds. */
  totalMillis: number;
}

const nowNs = (): bigint => process.hrtime.bigint();

/** Times `fn` (sync or async) and returns throughput and per-call percentiles. */
export async function measure(
  fn: () => unknown | Promise<unknown>,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const fixed = options.iterations;
  if (fixed !== undefined && (!Number.isInteger(fixed) || fixed < 1)) {
    throw new TypeError(`measure: iterations must be a positive integer, got ${fixed}`);
  }
  const budgetNs = BigInt(Math.round((options.seconds ?? 0.5) * 1e9));
  const warmup = options.warmup ?? (fixed !== undefined ? Math.ceil(fixed / 10) : 50);
  for (let i = 0; i < warmup; i++) await fn();

  const samples: number[] = [];
  const start = nowNs();
  for (;;) {
    const t0 = nowNs();
    await fn();
    samples.push(Number(nowNs() - t0) / 1e3);
    if (fixed !== undefined ? samples.length >= fixed : nowNs() - start >= budgetNs) break;
  }
  const totalNs = Number(nowNs() - start);
  samples.sort((a, b) => a - b);
  const pick = (q: number): number =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number;
  return {
    iterations: samples.length,
    opsPerSecond: samples.length / (totalNs / 1e9),
    medianMicros: pick(0.5),
    p95Micros: pick(0.95),
    totalMillis: totalNs / 1e6,
  };
}

/** `subject` relative to `baseline` as a throughput ratio, e.g. `"0.42x"` (higher is faster). */
export function ratio(subject: Measurement, baseline: Measurement): string {
  return `${(subject.opsPerSecond / baseline.opsPerSecond).toFixed(2)}x`;
}

/** Formats a number for a table: thousands separated, at most `digits` decimals. */
export function fmt(value: number, digits = value >= 100 ? 0 : 2): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Prints a titled, column-aligned table (numbers right-aligned) to stdout. */
export function printTable(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)),
  );
  const numeric = headers.map((_, i) =>
    rows.every((r) => typeof r[i] === "number" || /^[\d,.]+x?$/.test(String(r[i] ?? ""))),
  );
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  const out = [
    "",
    `## ${title}`,
    line(headers),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map(line),
  ];
  console.log(out.join("\n"));
}
