import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** CPU time of other processes (Linux /proc), for the benches' CPU-per-row figures. */

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface ProcStat {
  ppid: number;
  /** User + system CPU time, in seconds. */
  own: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The fields after the command name, which may itself hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const at = (field: number) => Number(fields[field - 3]);
  return { ppid: at(4), own: (at(14) + at(15)) / TICKS_PER_SECOND };
}

/** Seconds of CPU a process has used so far (0 once it is gone). */
export function processCpuSeconds(pid: number): number {
  return readStat(pid)?.own ?? 0;
}

/** The parent of a process on this machine, or undefined when there is no such process here. */
export function parentOf(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

/** Its command line as `ps` shows it (PostgreSQL writes its backends' role, database and client there). */
function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** `postgres: 15/main: ROLE DATABASE 127.0.0.1(51234) idle`: a client's connection, and its database. */
const CLIENT_BACKEND = /^postgres: \S+: \S+ (\S+) (?:\S+\(\d+\)|\[local\])/;

/**
 * CPU seconds so far of a local PostgreSQL's work for one database, by process: the connections to
 * that database and the cluster's own processes (WAL writer, checkpointer, autovacuum...), not the
 * connections to other databases (other tests sharing the cluster). Subtract two with `cpuBetween`.
 */
export function postgresCpu(postmaster: number, database: string): Map<number, number> {
  const used = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const stat = readStat(pid);
    if (!stat || stat.ppid !== postmaster) continue;
    const client = CLIENT_BACKEND.exec(commandLine(pid));
    if (!client || client[1] === database) used.set(pid, stat.own);
  }
  return used;
}

/** CPU seconds used between two snapshots (processes started in between count whole). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}
