import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBrowserHost } from './browser-host';

/**
 * `npm run web`: the app in a browser, served on 127.0.0.1 with a per-run token.
 *   --port N     listen on N (default: any free port)
 *   --data DIR   the data folder: blos.db and the settings' .env (default ./data)
 */
async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      data: { type: 'string', default: 'data' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run web -- [--port N] [--data DIR]');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected a port number 0-65535, got "${values.port}"`);

  const host = await startBrowserHost({ dataDir: path.resolve(values.data), port });
  console.log(`BLOS Desktop (browser host), data in ${path.resolve(values.data)}`);
  console.log(`open ${host.url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (finishing the sync in progress, closing the database)`);
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
