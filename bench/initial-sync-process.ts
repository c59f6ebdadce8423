import { openLocalStore } from '../src/db/local-store';
import { SyncEngine } from '../src/sync';
import { prepareSyncWorker } from '../src/sync/sync-thread';

/**
 * One initial sync in a process of its own, so its peak memory is the client's alone: prints
 * `{ ms, pulled, peakRssMb }` as JSON. Arguments: server URL, API key, database file. The pull
 * worker is started first (as at app start), so the time is the sync's alone.
 */
export interface InitialSyncFigures {
  ms: number;
  pulled: number;
  peakRssMb: number;
}

async function main(): Promise<void> {
  const [serverUrl, apiKey, file] = process.argv.slice(2) as [string, string, string];
  const store = openLocalStore({ file });
  const engine = new SyncEngine({ store, config: { serverUrl, apiKey, pullIntervalMs: 3_600_000 } });
  await prepareSyncWorker();
  const started = performance.now();
  const status = await engine.syncNow();
  const ms = performance.now() - started;
  await engine.stop();
  store.close();
  if (status.lastError) throw new Error(status.lastError);
  const figures: InitialSyncFigures = { ms, pulled: engine.lastReport?.pulled ?? 0, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  console.log(JSON.stringify(figures));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
