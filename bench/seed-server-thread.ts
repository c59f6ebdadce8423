import { workerData } from 'node:worker_threads';
import { seedServer } from './sync-fixtures';

/** `seedServer` in a thread of its own (bench/sync-fixtures.ts, `seedServerInThread`). */
const { serverFile, rows } = workerData as { serverFile: string; rows: number };
seedServer(serverFile, rows);
