/** One workload operation: when it started (ms from the workload's start) and how long it took. */
export interface Sample {
  atMs: number;
  ms: number;
  ok: boolean;
}

export interface LatencyStats {
  count: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** p50 and p99 of the operations started in one second, for the chart. */
export interface SecondStats {
  second: number;
  count: number;
  p50: number | null;
  p99: number | null;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function latencyStats(samples: readonly Sample[]): LatencyStats {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const round = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
  return {
    count: samples.length,
    errors: samples.filter((s) => !s.ok).length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
  };
}

/** The operations that overlap [fromMs, toMs]: all of them felt the window, even those that began before it. */
export function overlapping(samples: readonly Sample[], fromMs: number, toMs: number): Sample[] {
  return samples.filter((s) => s.atMs <= toMs && s.atMs + s.ms >= fromMs);
}

export function perSecond(samples: readonly Sample[]): SecondStats[] {
  const buckets = new Map<number, Sample[]>();
  for (const s of samples) {
    const second = Math.floor(s.atMs / 1000);
    let bucket = buckets.get(second);
    if (!bucket) buckets.set(second, (bucket = []));
    bucket.push(s);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, bucket]) => {
      const stats = latencyStats(bucket);
      return { second, count: stats.count, p50: stats.p50, p99: stats.p99 };
    });
}
