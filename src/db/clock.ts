/**
 * Monotonic hybrid-logical clock in integer milliseconds (ARCHITECTURE 2).
 *
 * Every stamp is strictly greater than any stamp this PC made or observed, so an edit made after
 * pulling a newer row never carries an older stamp, and two edits of one row on one PC never tie
 * (a tie would look like a replay to the last-write-wins rule). It follows the wall clock when the
 * wall clock is ahead, and otherwise counts up from the last stamp.
 */
export class HybridClock {
  private last: number;

  constructor(
    private readonly wallClock: () => number = Date.now,
    initial = 0,
  ) {
    this.last = initial;
  }

  /** A fresh stamp, strictly greater than every earlier stamp and observation. */
  stamp(): number {
    this.last = Math.max(this.wallClock(), this.last + 1);
    return this.last;
  }

  /** Takes note of a stamp seen elsewhere (a pulled row) so later stamps come after it. */
  observe(stamp: number): void {
    if (stamp > this.last) this.last = stamp;
  }

  /** The highest stamp made or observed so far. */
  peek(): number {
    return this.last;
  }

  /** How far the clock runs ahead of the wall clock (ms): a sign the wall clock went back. */
  drift(): number {
    return Math.max(0, this.last - this.wallClock());
  }
}
