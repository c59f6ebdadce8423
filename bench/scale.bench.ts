import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchFigure } from './figures';
import type { InitialSyncFigures } from './initial-sync-process';
import { spawnServerProcess } from '../test/support/server-process';
import { seedServer } from './sync-fixtures';

/**
 * An initial sync of LARGE rows (default 1,000,000) against one of SMALL rows (100,000), each into an
 * empty client in a process of its own: the time per row must not grow much with the size of the
 * pull, nor the client's memory with it. BENCH_SCALE_ROWS sets LARGE.
 */

const SMALL = 100_000;
const LARGE = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);

async function initialSync(serverUrl: string, apiKey: string, file: string): Promise<InitialSyncFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', require.resolve('@swc-node/register'), path.join(__dirname, 'initial-sync-process.ts'), serverUrl, apiKey, file], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as InitialSyncFigures;
}

async function measure(rows: number, dir: string): Promise<InitialSyncFigures> {
  const apiKey = crypto.randomBytes(32).toString('hex');
  const serverFile = path.join(dir, `server-${rows}.db`);
  seedServer(serverFile, rows);
  const server = await spawnServerProcess({ db: serverFile, apiKey, cwd: dir });
  try {
    const figures = await initialSync(server.url, apiKey, path.join(dir, `client-${rows}.db`));
    if (figures.pulled !== rows) throw new Error(`pulled ${figures.pulled} of ${rows} rows`);
    return figures;
  } finally {
    await server.stop();
    fs.rmSync(serverFile, { force: true });
  }
}

export default async function scaleBench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blos-bench-scale-'));
  const bench = 'scale';
  try {
    const small = await measure(SMALL, dir);
    const large = await measure(LARGE, dir);
    const perRow = (f: InitialSyncFigures) => (f.ms * 1000) / f.pulled;
    return [
      { bench, metric: `initial sync of ${SMALL} rows`, value: small.ms / 1000, unit: 's' },
      { bench, metric: `initial sync of ${LARGE} rows`, value: large.ms / 1000, unit: 's' },
      { bench, metric: `time per row, ${SMALL} rows`, value: perRow(small), unit: 'us' },
      { bench, metric: `time per row, ${LARGE} rows`, value: perRow(large), unit: 'us' },
      { bench, metric: `time per row, ${LARGE} / ${SMALL} rows`, value: perRow(large) / perRow(small), unit: 'ratio', target: '<= 1.2' },
      { bench, metric: `client's peak RSS, ${SMALL} rows`, value: small.peakRssMb, unit: 'MB' },
      { bench, metric: `client's peak RSS, ${LARGE} rows`, value: large.peakRssMb, unit: 'MB', target: '< 400' },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
