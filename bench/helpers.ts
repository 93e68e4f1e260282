/**
 * Timing helpers for the benchmarks: per-call samples with the timer's own cost subtracted,
 * percentiles, and a markdown table. Benchmarks report; they never assert on time.
 */
import { hrtime } from 'node:process';

export interface Stats {
  label: string;
  impl: string;
  n: number;
  p50: number; // µs
  p99: number; // µs
  mean: number; // µs
  opsPerSec: number;
  extra?: string;
}

let timerCostNs: number | null = null;

/** Median cost of an empty hrtime.bigint() pair, subtracted from every sample. */
export function timerCost(): number {
  if (timerCostNs !== null) return timerCostNs;
  const s: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    const t0 = hrtime.bigint();
    const t1 = hrtime.bigint();
    s.push(Number(t1 - t0));
  }
  s.sort((a, b) => a - b);
  timerCostNs = s[s.length >> 1] ?? 0;
  return timerCostNs;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/**
 * Times `op(i)` for i in [0, iterations) one call at a time, after `warmup` untimed calls (with
 * indices from `warmupOffset`, so cold benchmarks can warm up on other inputs).
 */
export function bench(label: string, impl: string, iterations: number, op: (i: number) => unknown, opts: { warmup?: number; warmupOffset?: number } = {}): Stats {
  const warmup = opts.warmup ?? Math.min(iterations, 20_000);
  const offset = opts.warmupOffset ?? 0;
  let sink = 0;
  for (let i = 0; i < warmup; i++) sink ^= op(offset + i) ? 1 : 0;
  const cost = timerCost();
  const samples = new Float64Array(iterations);
  const start = hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = hrtime.bigint();
    const r = op(i);
    const t1 = hrtime.bigint();
    samples[i] = Math.max(0, Number(t1 - t0) - cost);
    if (r) sink ^= 1;
  }
  const totalNs = Number(hrtime.bigint() - start);
  if (sink === 42) console.log(''); // keep results observable
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    label,
    impl,
    n: iterations,
    p50: percentile(sorted, 50) / 1000,
    p99: percentile(sorted, 99) / 1000,
    mean: mean / 1000,
    opsPerSec: iterations / (totalNs / 1e9),
  };
}

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(digits)) : '—');
const fmtOps = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

/** A markdown table; ratios are p50(other) / p50(Firstlight) for the same label. */
export function table(rows: readonly Stats[], baseline = 'Firstlight'): string {
  const out = ['| benchmark | implementation | p50 µs | p99 µs | ops/s | p50 ÷ Firstlight p50 | notes |', '|---|---|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    const base = rows.find((x) => x.label === r.label && x.impl === baseline);
    let ratio = '—';
    if (r.impl === baseline) ratio = '1.00';
    else if (base && r.impl === 'floor') ratio = `${(r.p50 / base.p50).toFixed(2)} (Firstlight = ${(base.p50 / r.p50).toFixed(1)}× floor)`;
    else if (base) ratio = (r.p50 / base.p50).toFixed(2);
    out.push(`| ${r.label} | ${r.impl} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmtOps(r.opsPerSec)} | ${ratio} | ${r.extra ?? ''} |`);
  }
  return out.join('\n');
}

export function quiet<T>(fn: () => T): T {
  const { log, info, warn, error, debug } = console;
  console.log = console.info = console.warn = console.error = console.debug = () => {};
  try {
    return fn();
  } finally {
    Object.assign(console, { log, info, warn, error, debug });
  }
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export interface Contender<U> {
  impl: string;
  /** Untimed users for warm-up (cycled until `warmMs` has passed, so the JIT has settled). */
  warm: readonly U[];
  /** Timed users: each seen exactly once by this implementation. */
  measured: readonly U[];
  op: (u: U) => string;
}

/**
 * Cold-user comparison that is fair on a noisy shared machine: every implementation warms up for
 * the same wall time, then the measured users are split into rounds and the implementations take
 * turns round by round (rotating who goes first), so a load burst hits all of them alike. Each
 * timed call includes `Buffer.byteLength` of the returned string: a server sends bytes, and a
 * string built from pieces is only assembled when something reads it.
 */
export function benchInterleaved(label: string, contenders: readonly Contender<any>[], opts: { rounds?: number; warmMs?: number } = {}): { stats: Stats[]; bytes: number[] } {
  const rounds = opts.rounds ?? 10;
  const warmMs = opts.warmMs ?? 1000;
  const cost = timerCost();
  for (const c of contenders) {
    const until = performance.now() + warmMs;
    for (let i = 0; performance.now() < until || i < c.warm.length; i++) Buffer.byteLength(c.op(c.warm[i % c.warm.length]), 'utf8');
  }
  const samples = contenders.map(() => [] as number[]);
  const bytes = contenders.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const idx = (k + r) % contenders.length;
      const c = contenders[idx]!;
      const per = Math.ceil(c.measured.length / rounds);
      for (let i = r * per; i < Math.min(c.measured.length, (r + 1) * per); i++) {
        const u = c.measured[i];
        const t0 = hrtime.bigint();
        const n = Buffer.byteLength(c.op(u), 'utf8');
        const t1 = hrtime.bigint();
        samples[idx]!.push(Math.max(0, Number(t1 - t0) - cost));
        bytes[idx]! += n;
      }
    }
  }
  const stats = contenders.map((c, i) => {
    const sorted = samples[i]!.sort((a, b) => a - b);
    const total = sorted.reduce((a, b) => a + b, 0);
    return {
      label,
      impl: c.impl,
      n: sorted.length,
      p50: percentile(sorted, 50) / 1000,
      p99: percentile(sorted, 99) / 1000,
      mean: total / sorted.length / 1000,
      opsPerSec: sorted.length / (total / 1e9),
    };
  });
  return { stats, bytes };
}

/**
 * bench() for several implementations of one call, taking turns: each warms up on the same
 * indices, then the iterations are split into rounds and the implementations run one chunk per
 * round, rotating who goes first, so a load burst on the shared machine hits all of them alike
 * instead of whichever happened to run during it.
 */
export function benchTurns(label: string, contenders: readonly { impl: string; op: (i: number) => unknown }[], iterations: number, rounds = 10): Stats[] {
  const warmup = Math.min(iterations, 20_000);
  let sink = 0;
  for (const c of contenders) for (let i = 0; i < warmup; i++) sink ^= c.op(i) ? 1 : 0;
  const cost = timerCost();
  const samples = contenders.map(() => new Float64Array(iterations));
  const busyNs = contenders.map(() => 0);
  const per = Math.ceil(iterations / rounds);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const idx = (k + r) % contenders.length;
      const op = contenders[idx]!.op;
      const s = samples[idx]!;
      const end = Math.min(iterations, (r + 1) * per);
      const start = hrtime.bigint();
      for (let i = r * per; i < end; i++) {
        const t0 = hrtime.bigint();
        const res = op(i);
        const t1 = hrtime.bigint();
        s[i] = Math.max(0, Number(t1 - t0) - cost);
        if (res) sink ^= 1;
      }
      busyNs[idx]! += Number(hrtime.bigint() - start);
    }
  }
  if (sink === 42) console.log('');
  return contenders.map((c, idx) => {
    const sorted = Array.from(samples[idx]!).sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    return { label, impl: c.impl, n: iterations, p50: percentile(sorted, 50) / 1000, p99: percentile(sorted, 99) / 1000, mean: mean / 1000, opsPerSec: iterations / (busyNs[idx]! / 1e9) };
  });
}
