import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable, type Bench, type BenchFigure } from './figures';

/**
 * Runs every `bench/*.bench.ts` (or those named on the command line) and prints one table.
 * Usage: npm run bench [-- name-fragment ...] [--url postgres://...]
 * Options are read by the benches that take them (`--url`: server-pg's database).
 */
async function main() {
  const filters = parseArgs({ options: { url: { type: 'string' } }, allowPositionals: true }).positionals;
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  const figures: BenchFigure[] = [];
  for (const file of files) {
    process.stderr.write(`running ${file}...\n`);
    const bench = (await import(path.join(__dirname, file))).default as Bench;
    const result = await bench();
    for (const figure of result) process.stderr.write(`  ${figure.metric}: ${figure.value} ${figure.unit}\n`);
    figures.push(...result);
  }
  console.log(formatTable(figures));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
