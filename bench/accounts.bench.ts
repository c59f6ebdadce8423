import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BCRYPT_COST } from '../src/accounts/accounts-service';
import { hashPassword } from '../src/accounts/password-hasher';
import { median, type BenchFigure } from './figures';

const HASHES = Number(process.env.BENCH_BCRYPT_HASHES ?? 5);

/**
 * What a password hash costs at the production bcrypt cost (issue 6 asks for the figure): wall time
 * per hash on the hashing worker the app uses, and the longest event-loop block while hashing
 * (target under 20 ms; bcryptjs's async API on the main thread blocked it 106 ms).
 */
export default async function accountsBench(): Promise<BenchFigure[]> {
  // The worker's start is paid once per process, at the first sign-in: not part of a hash's figure.
  await hashPassword('warm up', 4);
  const times: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let i = 0; i < HASHES; i++) {
    const started = performance.now();
    await hashPassword(`correct horse battery ${i}`, BCRYPT_COST);
    times.push(performance.now() - started);
  }
  delay.disable();
  return [
    { bench: 'accounts', metric: `bcrypt hash at cost ${BCRYPT_COST} (worker thread), median of ${HASHES}`, value: median(times), unit: 'ms' },
    { bench: 'accounts', metric: 'longest event-loop block while hashing', value: delay.max / 1e6, unit: 'ms', target: '< 20' },
  ];
}
