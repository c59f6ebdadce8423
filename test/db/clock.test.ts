import path from 'node:path';
import { HybridClock } from '../../src/db/clock';
import { openLocalStore } from '../../src/db/local-store';
import { tempDir } from '../support/temp';

describe('HybridClock', () => {
  it('follows the wall clock while it moves forward', () => {
    let now = 1_000;
    const clock = new HybridClock(() => now);
    expect(clock.stamp()).toBe(1_000);
    now = 5_000;
    expect(clock.stamp()).toBe(5_000);
  });

  it('never goes backwards when the wall clock jumps back', () => {
    let now = 1_000_000;
    const clock = new HybridClock(() => now);
    const before = clock.stamp();
    now -= 3_600_000;
    const stamps = [clock.stamp(), clock.stamp(), clock.stamp()];
    expect(stamps[0]).toBeGreaterThan(before);
    expect(stamps[1]).toBeGreaterThan(stamps[0]!);
    expect(stamps[2]).toBeGreaterThan(stamps[1]!);
    expect(clock.drift()).toBeGreaterThan(3_000_000);
  });

  it('makes strictly increasing stamps within one millisecond', () => {
    const clock = new HybridClock(() => 42);
    const stamps = Array.from({ length: 100 }, () => clock.stamp());
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThan(stamps[i - 1]!);
  });

  it('stamps after any stamp it observed', () => {
    const clock = new HybridClock(() => 1_000);
    clock.observe(9_000);
    expect(clock.stamp()).toBe(9_001);
    clock.observe(5_000);
    expect(clock.stamp()).toBe(9_002);
  });

  it('starts above its initial high-water mark', () => {
    const clock = new HybridClock(() => 10, 500);
    expect(clock.stamp()).toBe(501);
  });
});

describe('the clock of a reopened database', () => {
  it('starts above every stamp the file holds, though the wall clock went back meanwhile', () => {
    const file = path.join(tempDir(), 'app.db');
    const before = openLocalStore({ file, wallClock: () => 1_000_000 });
    const first = before.repos.households.create({ area: 'North' });
    before.close();

    const after = openLocalStore({ file, wallClock: () => 5 });
    try {
      const second = after.repos.households.create({ area: 'South' });
      expect(second.updatedAt).toBeGreaterThan(first.updatedAt);
    } finally {
      after.close();
    }
  });
});
