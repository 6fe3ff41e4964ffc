/**
 * A tiny benchmark harness. Every benchmark is a file `bench/<name>.bench.ts` whose default export is
 * `async function (): Promise<void>` that measures a baseline and its subject IN THE SAME RUN and prints a
 * table with `printTable`. No timed assertions anywhere: numbers are for people to read.
 *
 * Ratios come from INTERLEAVED ROUNDS, never from one window per case: `compare` runs every variant for a short
 * slice, round after round, in rotating order (A B C, B C A, C A B, ...), so a change of load on a shared machine
 * hits all variants alike; each ratio is computed per round and reported as its median with its spread (p25–p75
 * and min–max over the rounds). A lower-bound row (the least any implementation could do) goes beside the baseline
 * where one exists.
 *
 *   import { compare, comparisonTable } from "./harness";
 *   export default async function (): Promise<void> {
 *     const c = await compare([
 *       { name: "JSON.stringify (baseline)", fn: () => JSON.stringify(doc) },
 *       { name: "renderTrustPolicy", fn: () => renderTrustPolicy(doc) },
 *     ]);
 *     comparisonTable("render", c);
 *   }
 *
 * `sample` variants (child processes, one number per round) use `interleave` directly; `fixedResponseServer` is the
 * lower bound of an HTTP endpoint (the same bytes from a server that does nothing else); `concurrentLoad` drives a
 * function from N concurrent callers and reports requests/s with p50/p99 latency (the sandbox's load bench).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

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
  printed.push({ title, headers: [...headers], rows: cells });
}

/** A table as `printTable` printed it. */
export interface PrintedTable {
  title: string;
  headers: string[];
  rows: string[][];
}

const printed: PrintedTable[] = [];

/** The tables printed so far, and forgets them (bench/index.ts collects them per benchmark for the docs). */
export function takePrintedTables(): PrintedTable[] {
  return printed.splice(0, printed.length);
}

/** A table as GitHub Markdown (pipes in cells escaped). */
export function markdownTable(t: PrintedTable): string {
  const esc = (c: string): string => c.replace(/\|/g, "\\|");
  return [
    `**${esc(t.title)}**`,
    "",
    `| ${t.headers.map(esc).join(" | ")} |`,
    `|${t.headers.map(() => " --- ").join("|")}|`,
    ...t.rows.map((r) => `| ${t.headers.map((_, i) => esc(r[i] ?? "")).join(" | ")} |`),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// Interleaved rounds

/** Order statistics of a set of per-round numbers. */
export interface Spread {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
  /** How many rounds. */
  n: number;
}

/** Median, quartiles and range of `values` (linear interpolation between order statistics). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError("spread: no values");
  const xs = [...values].sort((a, b) => a - b);
  const q = (p: number): number => {
    const at = p * (xs.length - 1);
    const lo = Math.floor(at);
    const hi = Math.ceil(at);
    return (xs[lo] as number) + ((xs[hi] as number) - (xs[lo] as number)) * (at - lo);
  };
  return {
    median: q(0.5),
    p25: q(0.25),
    p75: q(0.75),
    min: xs[0] as number,
    max: xs[xs.length - 1] as number,
    n: xs.length,
  };
}

/** One thing to sample once per round: it returns the round's number (a duration, a CPU time...). */
export interface SampledVariant {
  name: string;
  sample: () => number | Promise<number>;
}

/**
 * Calls every variant's `sample` once per round, `rounds` times, rotating the order each round (A B C, B C A,
 * C A B, ...), after `warmupRounds` unrecorded rounds. Returns each variant's per-round numbers, in round order.
 */
export async function interleave(
  variants: readonly SampledVariant[],
  options: { rounds?: number; warmupRounds?: number } = {},
): Promise<Map<string, number[]>> {
  const rounds = options.rounds ?? 7;
  const warmupRounds = options.warmupRounds ?? 1;
  const names = new Set(variants.map((v) => v.name));
  if (names.size !== variants.length) throw new TypeError("interleave: variant names must differ");
  const out = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(round + k) % variants.length] as SampledVariant;
      const value = await v.sample();
      if (round >= warmupRounds) out.get(v.name)?.push(value);
    }
  }
  return out;
}

/** One function to time in `compare`. The first variant is the baseline. */
export interface Variant {
  name: string;
  fn: () => unknown | Promise<unknown>;
  /** A lower bound (the least any implementation could do), shown as such. */
  lowerBound?: boolean;
}

/** What `compare` found for one variant. */
export interface VariantResult {
  name: string;
  lowerBound: boolean;
  /** Per-round median duration of one call, microseconds. */
  medianMicros: Spread;
  /** Per-round throughput, calls per second. */
  opsPerSecond: Spread;
  /** Per-round (this variant's median time) / (the baseline's median time): 2.00 = twice the baseline's cost. */
  timeVsBaseline: Spread;
  /** Timed calls over all rounds. */
  iterations: number;
}

/** The outcome of `compare`: variants in the order given, the first one the baseline. */
export interface Comparison {
  rounds: number;
  secondsPerSlice: number;
  variants: VariantResult[];
}

/** Options of `compare`. */
export interface CompareOptions {
  /** Recorded rounds. Defaults to 7 (or `BENCH_ROUNDS`). */
  rounds?: number;
  /** The time slice of each variant in each round, seconds. Defaults to 0.15. */
  seconds?: number;
  /** Untimed calls before each slice. Defaults to 5. */
  warmup?: number;
}

/** Rounds from the environment (`BENCH_ROUNDS=15 npm run bench`), else the given default. */
export function defaultRounds(fallback = 7): number {
  const fromEnv = Number(process.env["BENCH_ROUNDS"]);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}

/**
 * Times every variant in interleaved rounds (see the header): one warm-up round, then `rounds` rounds of one
 * `seconds` slice per variant. The first variant is the baseline of `timeVsBaseline`.
 */
export async function compare(
  variants: readonly Variant[],
  options: CompareOptions = {},
): Promise<Comparison> {
  if (variants.length === 0) throw new TypeError("compare: no variants");
  const rounds = options.rounds ?? defaultRounds();
  const seconds = options.seconds ?? 0.15;
  const warmup = options.warmup ?? 5;
  const measured = new Map<string, Measurement[]>(variants.map((v) => [v.name, []]));
  await interleave(
    variants.map((v) => ({
      name: v.name,
      sample: async () => {
        const m = await measure(v.fn, { seconds, warmup });
        measured.get(v.name)?.push(m);
        return m.medianMicros;
      },
    })),
    { rounds, warmupRounds: 1 },
  );
  // interleave's warm-up round was recorded above too: drop each variant's first measurement.
  for (const list of measured.values()) list.shift();
  const base = measured.get((variants[0] as Variant).name) as Measurement[];
  return {
    rounds,
    secondsPerSlice: seconds,
    variants: variants.map((v) => {
      const ms = measured.get(v.name) as Measurement[];
      return {
        name: v.name,
        lowerBound: v.lowerBound === true,
        medianMicros: spread(ms.map((m) => m.medianMicros)),
        opsPerSecond: spread(ms.map((m) => m.opsPerSecond)),
        timeVsBaseline: spread(
          ms.map((m, i) => m.medianMicros / (base[i] as Measurement).medianMicros),
        ),
        iterations: ms.reduce((n, m) => n + m.iterations, 0),
      };
    }),
  };
}

/** `"2.41x"`, `"0.056x"` (two significant digits below 0.1). */
export function times(value: number): string {
  return `${value >= 0.1 || value === 0 ? value.toFixed(2) : value.toPrecision(2)}x`;
}

/** A spread as `"2.41x (2.30–2.55; 2.10–2.90)"`: median (p25–p75; min–max). */
export function spreadText(s: Spread, format: (n: number) => string = times): string {
  return `${format(s.median)} (${format(s.p25)}–${format(s.p75)}; ${format(s.min)}–${format(s.max)})`;
}

/**
 * Prints a comparison: per variant the median call time and throughput (medians over rounds) and its time relative
 * to the baseline (median over rounds, p25–p75, min–max). Extra columns per variant may be appended.
 */
export function comparisonTable(
  title: string,
  c: Comparison,
  extra?: { headers: readonly string[]; cells: (v: VariantResult) => readonly (string | number)[] },
): void {
  const baseline = c.variants[0] as VariantResult;
  printTable(
    `${title} — ${c.rounds} interleaved rounds × ${c.secondsPerSlice} s per variant`,
    [
      "case",
      "median µs",
      "ops/s",
      "time × baseline (median)",
      "p25–p75",
      "min–max",
      ...(extra?.headers ?? []),
    ],
    c.variants.map((v) => [
      v === baseline ? `${v.name} (baseline)` : v.lowerBound ? `${v.name} (lower bound)` : v.name,
      fmt(v.medianMicros.median),
      fmt(v.opsPerSecond.median),
      times(v.timeVsBaseline.median),
      `${times(v.timeVsBaseline.p25)}–${times(v.timeVsBaseline.p75)}`,
      `${times(v.timeVsBaseline.min)}–${times(v.timeVsBaseline.max)}`,
      ...(extra?.cells(v) ?? []),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Lower bound of an HTTP endpoint

/** A canned HTTP answer. */
export interface FixedResponse {
  status?: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/** A running `fixedResponseServer`. */
export interface FixedResponseServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * The lower bound of a local HTTP endpoint: a server on 127.0.0.1 that reads each request body to its end and
 * answers the SAME bytes every time (status, headers, body), doing nothing else. Point a client at it with the same
 * request as the real endpoint (e.g. an STS answer captured once from the sandbox) to see the cost of HTTP alone.
 */
export async function fixedResponseServer(response: FixedResponse): Promise<FixedResponseServer> {
  const body = typeof response.body === "string" ? Buffer.from(response.body) : response.body;
  const headers = {
    "content-length": String(body.length),
    ...(response.headers ?? {}),
  };
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests += 1;
      res.writeHead(response.status ?? 200, headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Concurrent load

/** Options of `concurrentLoad`: `clients` callers, each calling `fn` again as soon as its last call settles. */
export interface LoadOptions {
  /** Concurrent callers. */
  clients: number;
  /** Stop after this many calls in total... */
  total?: number;
  /** ...or after this many seconds (default 2 when `total` is absent). */
  seconds?: number;
}

/** What `concurrentLoad` observed. */
export interface LoadResult {
  clients: number;
  /** Calls that resolved / rejected. */
  ok: number;
  failed: number;
  /** The first few distinct rejection messages, for the table's note. */
  errors: string[];
  requestsPerSecond: number;
  /** Latency of resolved calls, milliseconds. */
  p50Millis: number;
  p99Millis: number;
  maxMillis: number;
  totalMillis: number;
}

/**
 * Calls `fn` from `clients` concurrent loops until `total` calls were started or `seconds` passed, and reports
 * throughput and latency percentiles. A rejected call is counted (and its message kept), never thrown.
 * `fn` receives the index of the call (0-based) so calls can differ (e.g. another session name each time).
 */
export async function concurrentLoad(
  fn: (call: number) => Promise<unknown>,
  options: LoadOptions,
): Promise<LoadResult> {
  if (!Number.isInteger(options.clients) || options.clients < 1) {
    throw new TypeError(
      `concurrentLoad: clients must be a positive integer, got ${options.clients}`,
    );
  }
  const deadline =
    options.total === undefined
      ? nowNs() + BigInt(Math.round((options.seconds ?? 2) * 1e9))
      : undefined;
  const latencies: number[] = [];
  const errors = new Set<string>();
  let started = 0;
  let failed = 0;
  const begin = nowNs();
  const loop = async (): Promise<void> => {
    for (;;) {
      if (
        options.total !== undefined ? started >= options.total : nowNs() >= (deadline as bigint)
      ) {
        return;
      }
      const call = started++;
      const t0 = nowNs();
      try {
        await fn(call);
        latencies.push(Number(nowNs() - t0) / 1e6);
      } catch (err) {
        failed += 1;
        if (errors.size < 5)
          errors.add(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, loop));
  const totalMillis = Number(nowNs() - begin) / 1e6;
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number =>
    latencies.length === 0
      ? NaN
      : (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number);
  return {
    clients: options.clients,
    ok: latencies.length,
    failed,
    errors: [...errors],
    requestsPerSecond: latencies.length / (totalMillis / 1000),
    p50Millis: pick(0.5),
    p99Millis: pick(0.99),
    maxMillis: latencies[latencies.length - 1] ?? NaN,
    totalMillis,
  };
}
