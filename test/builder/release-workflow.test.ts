import fs from 'node:fs';
import path from 'node:path';

/**
 * The release workflow (.github/workflows/release.yml) cannot run here: it needs GitHub's Windows,
 * macOS and Linux runners. What can be checked is that it parses, covers the three platforms, calls
 * only commands package.json has, and uploads only when asked.
 */
const repo = path.resolve(__dirname, '../..');
// js-yaml: electron-updater's YAML reader (a dependency of ours through it), the same library that
// reads latest.yml on every PC.
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: { push?: { tags?: string[] }; workflow_dispatch?: { inputs?: Record<string, { type: string; default: unknown }> } };
  jobs: Record<string, { 'runs-on': string; strategy: { matrix: { include: Array<{ os: string; platform: string }> } }; steps: Step[] }>;
}

const workflow = yaml.load(fs.readFileSync(path.join(repo, '.github/workflows/release.yml'), 'utf8')) as Workflow;
const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).scripts as Record<string, string>);
const job = workflow.jobs.installers!;
const matrix = job.strategy.matrix.include;

/** The npm commands of every run step, with the matrix platform filled in for each runner. */
function npmCommands(): string[] {
  const lines = job.steps.flatMap((step) => (step.run ?? '').split('\n')).filter((line) => /^\s*npm\b/.test(line));
  return matrix.flatMap(({ platform }) => lines.map((line) => line.trim().replace('${{ matrix.platform }}', platform)));
}

describe('the release workflow', () => {
  it('builds on a Windows, a macOS and a Linux runner, each its own installers', () => {
    expect(matrix.map(({ os, platform }) => `${os}:${platform}`)).toEqual(['windows-latest:win', 'macos-latest:mac', 'ubuntu-latest:linux']);
    expect(job['runs-on']).toBe('${{ matrix.os }}');
  });

  it('runs only npm commands that exist in package.json', () => {
    const commands = npmCommands();
    expect(commands).toEqual(expect.arrayContaining(['npm ci', 'npm run dist:win', 'npm run dist:mac', 'npm run dist:linux']));
    for (const command of commands) {
      const script = /^npm run ([\w:-]+)/.exec(command)?.[1];
      if (script) expect(scripts).toContain(script);
      else expect(['npm ci', 'npm test']).toContain(command);
    }
  });

  it('never calls electron-builder directly, so nothing publishes implicitly', () => {
    expect(job.steps.filter((step) => /electron-builder/.test(step.run ?? ''))).toEqual([]);
  });

  it('uploads to the feed only from a run started by hand with publish ticked (off by default)', () => {
    expect(workflow.on.workflow_dispatch?.inputs?.publish).toMatchObject({ type: 'boolean', default: false });
    const uploads = job.steps.filter((step) => /scp|upload/i.test(`${step.name ?? ''} ${step.run ?? ''}`) && !step.uses);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.if).toBe("github.event_name == 'workflow_dispatch' && inputs.publish");
  });

  it('uses the Node version Electron 42 and its build tools require', () => {
    const setupNode = job.steps.find((step) => step.uses?.startsWith('actions/setup-node'));
    expect(setupNode?.with?.['node-version']).toBe('22.12');
  });
});
