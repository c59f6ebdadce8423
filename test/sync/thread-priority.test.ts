import fs from 'node:fs';
import { preparePullThread } from '../../src/sync/pull-thread';
import { BACKGROUND_NICE } from '../../src/thread-priority';

/** The nice value of each of this process's threads, by thread id (field 19 of /proc's stat). */
function niceByThread(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    nice.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nice;
}

describe('the threads of a pull', () => {
  (process.platform === 'linux' ? it : it.skip)('the feed thread gives way to the main thread; the pull and checkpoint threads keep its priority', async () => {
    const before = niceByThread();
    await preparePullThread();
    const started = [...niceByThread()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
    expect(started.filter((nice) => nice === BACKGROUND_NICE)).toHaveLength(1);
    expect(started.filter((nice) => nice === before.get(process.pid)).length).toBeGreaterThanOrEqual(2);
    expect(niceByThread().get(process.pid)).toBe(before.get(process.pid));
  });
});
