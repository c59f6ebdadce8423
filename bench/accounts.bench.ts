import bcrypt from 'bcryptjs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BCRYPT_COST } from '../src/accounts/accounts-service';
import { median, type BenchFigure } from './figures';

const HASHES = Number(process.env.BENCH_BCRYPT_HASHES ?? 5);

/**
 * What a password hash costs at the production bcrypt cost (issue 6 asks for the figure): wall time
 * per hash through the async API the app uses, and the longest event-loop block while hashing.
 */
export default async function accountsBench(): Promise<BenchFigure[]> {
  const times: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let i = 0; i < HASHES; i++) {
    const started = performance.now();
    await bcrypt.hash(`correct horse battery ${i}`, BCRYPT_COST);
    times.push(performance.now() - started);
  }
  delay.disable();
  return [
    { bench: 'accounts', metric: `bcrypt hash at cost ${BCRYPT_COST} (async), median of ${HASHES}`, value: median(times), unit: 'ms' },
    { bench: 'accounts', metric: 'longest event-loop block while hashing', value: delay.max / 1e6, unit: 'ms' },
  ];
}
