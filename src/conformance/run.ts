import type { Target } from './client';
import { CheckFailure } from './expect';
import { GROUPS } from './groups';
import { Session } from './session';
import type { CheckGroup } from './suite';

export interface ConformanceOptions {
  target: Target;
  /** Default: every group. */
  groups?: readonly CheckGroup[];
  /** Where the report goes, line by line. */
  print: (line: string) => void;
}

export interface ConformanceReport {
  passed: number;
  failed: number;
  /** "group: check" of each failure, in order. */
  failures: string[];
}

function describe(error: unknown): string[] {
  if (error instanceof CheckFailure) return [error.what, `  expected: ${error.expected}`, `  got:      ${error.got}`];
  return [`unexpected error: ${error instanceof Error ? error.message : String(error)}`];
}

/**
 * Runs the checks one after another against the target (each makes its own rows, with random ids)
 * and prints each failure with what was expected, then `N passed, M failed`.
 */
export async function runConformance({ target, groups = GROUPS, print }: ConformanceOptions): Promise<ConformanceReport> {
  const session = await Session.open(target);
  const report: ConformanceReport = { passed: 0, failed: 0, failures: [] };
  for (const group of groups) {
    print(`protocol v${group.protocolVersion} · ${group.name}`);
    for (const { name, run } of group.checks) {
      try {
        await run(session);
        report.passed += 1;
        print(`  ✓ ${name}`);
      } catch (error) {
        report.failed += 1;
        report.failures.push(`${group.name}: ${name}`);
        print(`  ✗ ${name}`);
        for (const line of describe(error)) print(`      ${line}`);
      }
    }
  }
  print(`${report.passed} passed, ${report.failed} failed`);
  return report;
}
