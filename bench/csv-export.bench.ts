import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeCsvExport } from '../src/core/csv-export';
import type { ExportKind } from '../src/shared/vocabulary';
import { openLocalStore } from '../src/db/local-store';
import type { BenchFigure } from './figures';
import { seedHouseholds } from './household-fixtures';

/**
 * CSV export at field scale (default 100,000 households, 300,000 people, 50,000 visits), on the
 * thread that serves the window's calls, as the core runs it. A 5 ms timer on the same event loop
 * measures the longest stall (how late it fired: a call from the window would have waited as long)
 * and samples the resident memory. Targets: no stall over 50 ms, memory bounded (it holds one chunk).
 * BENCH_EXPORT_HOUSEHOLDS sets the size.
 */

const HOUSEHOLDS = Number(process.env.BENCH_EXPORT_HOUSEHOLDS ?? 100_000);
const TICK_MS = 5;

/**
 * A 5 ms timer on this event loop: how late it fires at worst, and the resident memory's peak. On a
 * loaded machine the OS alone makes a timer late, so `busiest` counts only the CPU time this process
 * used between two ticks: the longest stretch the loop was really busy.
 */
function sampleLoop() {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let longest = 0;
  let busiest = 0;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const late = now - last - TICK_MS;
    longest = Math.max(longest, late);
    busiest = Math.max(busiest, Math.min(late, (cpu.user + cpu.system) / 1000 - TICK_MS));
    last = now;
    lastCpu = process.cpuUsage();
    peak = Math.max(peak, process.memoryUsage().rss);
  }, TICK_MS);
  return {
    stop() {
      clearInterval(timer);
      return { longest, busiest, peak, baseline };
    },
  };
}

export default async function csvExportBench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blos-bench-export-'));
  const bench = 'csv-export';
  const store = openLocalStore({ file: path.join(dir, 'app.db') });
  try {
    const seedMs = seedHouseholds(store, HOUSEHOLDS);
    const figures: BenchFigure[] = [{ bench, metric: `seed ${HOUSEHOLDS} households, ${HOUSEHOLDS * 3} people`, value: seedMs / 1000, unit: 's' }];
    const cases: [string, ExportKind, object][] = [
      ['households, all', 'households', {}],
      ['people, all', 'people', {}],
      ['households, search "ami" + area', 'households', { search: 'ami', filters: { area: 'North' } }],
    ];
    // The same timer with nothing else running: on a shared machine the OS alone makes it late.
    const idle = sampleLoop();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const quiet = idle.stop();
    figures.push(
      { bench, metric: 'idle event loop (2 s, no export): longest timer delay', value: quiet.longest, unit: 'ms' },
      { bench, metric: 'idle event loop (2 s, no export): longest busy stretch', value: quiet.busiest, unit: 'ms' },
    );
    for (const [name, kind, query] of cases) {
      const sampler = sampleLoop();
      const started = performance.now();
      const file = path.join(dir, `${kind}.csv`);
      const result = await writeCsvExport({ store, kind, query, file });
      const seconds = (performance.now() - started) / 1000;
      const { longest, busiest, peak, baseline } = sampler.stop();
      figures.push(
        { bench, metric: `${name}: rows`, value: result.rows, unit: 'rows' },
        { bench, metric: `${name}: time`, value: seconds, unit: 's' },
        { bench, metric: `${name}: rows per second`, value: result.rows / seconds, unit: 'rows/s' },
        { bench, metric: `${name}: longest event-loop stall (busy, process CPU time)`, value: busiest, unit: 'ms', target: '< 50' },
        { bench, metric: `${name}: longest timer delay (wall clock, OS scheduling included)`, value: longest, unit: 'ms' },
        { bench, metric: `${name}: peak RSS growth`, value: (peak - baseline) / 2 ** 20, unit: 'MiB' },
        { bench, metric: `${name}: file size`, value: fs.statSync(file).size / 2 ** 20, unit: 'MiB' },
      );
      fs.rmSync(file);
    }
    return figures;
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
