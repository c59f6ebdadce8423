import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** CPU time of other processes (Linux /proc), for the benches' CPU-per-row figures. */

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface ProcStat {
  ppid: number;
  /** Its own user + system CPU, in seconds. */
  own: number;
  /** User + system CPU of its children that exited and were waited for, in seconds. */
  reaped: number;
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
  return { ppid: at(4), own: (at(14) + at(15)) / TICKS_PER_SECOND, reaped: (at(16) + at(17)) / TICKS_PER_SECOND };
}

/** Seconds of CPU a process has used so far (0 once it is gone). */
export function processCpuSeconds(pid: number): number {
  return readStat(pid)?.own ?? 0;
}

/** The parent of a process on this machine, or undefined when there is no such process here. */
export function parentOf(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

/**
 * Seconds of CPU used so far by a process and all its descendants, exited ones included (PostgreSQL's
 * postmaster reaps its backends, so what a closed connection used is counted too).
 */
export function treeCpuSeconds(root: number): number {
  const stats = fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      const stat = readStat(Number(name));
      return stat ? [[Number(name), stat] as const] : [];
    });
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const byPid = new Map(stats);
  let total = 0;
  const visit = (pid: number) => {
    const stat = byPid.get(pid);
    if (!stat) return;
    // Live processes count their own time; exited ones are in their parent's reaped time.
    total += stat.own + stat.reaped;
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return total;
}
