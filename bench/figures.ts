/** One printed benchmark figure. A ratio figure compares against a baseline measured in the same run. */
export interface BenchFigure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** The goal, e.g. ">= 0.8" or "< 20", printed beside the value. */
  target?: string;
}

/** Every bench module default-exports one of these. */
export type Bench = () => Promise<BenchFigure[]>;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!;
}

export function formatTable(figures: readonly BenchFigure[]): string {
  const rows = figures.map((f) => [
    f.bench,
    f.metric,
    f.value >= 100 ? Math.round(f.value).toLocaleString('en-US') : f.value.toFixed(f.value < 1 ? 3 : 2),
    f.unit,
    f.target ?? '',
  ]);
  const header = ['bench', 'metric', 'value', 'unit', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
