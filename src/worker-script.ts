import path from 'node:path';

/**
 * Where a worker thread's script is, next to the module that starts it: the bundled `.js` in the app
 * (scripts/build.mjs builds each worker as its own entry beside main.js), the `.ts` source through the
 * same TypeScript loader elsewhere (tests, CLIs, benchmarks).
 */
export function workerScript(directory: string, name: string, caller: string): { file: string; execArgv: string[] } {
  const extension = path.extname(caller);
  return {
    file: path.join(directory, `${name}${extension}`),
    execArgv: extension === '.ts' ? ['-r', require.resolve('@swc-node/register')] : [],
  };
}
