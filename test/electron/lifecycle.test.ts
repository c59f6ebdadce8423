import fs from 'node:fs';
import path from 'node:path';
import { envFolders, prepareDataFolders } from '../../src/electron/data-folders';
import { parseExternalHosts } from '../../src/electron/external-hosts';
import { openLogFile } from '../../src/electron/log-file';
import { createQuitGate } from '../../src/electron/quit-gate';
import { tempDir } from '../support/temp';

/** Records what Electron's before-quit would see: whether each quit request was held. */
function quitRequest() {
  return {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('quitting', () => {
  it('holds the quit until the core has shut down, then quits once', async () => {
    const steps: string[] = [];
    let finishShutdown: () => void = () => {};
    const onBeforeQuit = createQuitGate({
      shutdown: () => {
        steps.push('shutdown started');
        return new Promise<void>((resolve) => (finishShutdown = resolve));
      },
      quit: () => steps.push('quit'),
    });

    const first = quitRequest();
    onBeforeQuit(first);
    expect(first.prevented).toBe(true);
    const duringShutdown = quitRequest();
    onBeforeQuit(duringShutdown);
    expect(duringShutdown.prevented).toBe(true);
    await settle();
    expect(steps).toEqual(['shutdown started']);

    finishShutdown();
    await settle();
    expect(steps).toEqual(['shutdown started', 'quit']);
    // The quit the gate itself asks for must go through.
    const final = quitRequest();
    onBeforeQuit(final);
    expect(final.prevented).toBe(false);
  });

  it('quits anyway, and says why, when the shutdown fails', async () => {
    const logged: string[] = [];
    let quits = 0;
    const onBeforeQuit = createQuitGate({
      shutdown: async () => {
        throw new Error('database is locked');
      },
      quit: () => (quits += 1),
      log: (line) => logged.push(line),
    });
    onBeforeQuit(quitRequest());
    await settle();
    expect(quits).toBe(1);
    expect(logged).toEqual(['shutdown failed: database is locked']);
  });

  it('abandons a shutdown that hangs after the timeout', async () => {
    const logged: string[] = [];
    let quits = 0;
    const onBeforeQuit = createQuitGate({
      shutdown: () => new Promise<void>(() => {}),
      quit: () => (quits += 1),
      timeoutMs: 20,
      log: (line) => logged.push(line),
    });
    onBeforeQuit(quitRequest());
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(quits).toBe(1);
    expect(logged).toEqual(['shutdown did not finish within 20 ms; quitting anyway']);
  });
});

describe('the user-data folders', () => {
  it("live in Electron's userData folder, created with logs and backups inside", () => {
    const userData = path.join(tempDir(), 'BLOS Desktop');
    const folders = prepareDataFolders(userData, {});
    expect(folders).toEqual({ dataDir: userData, logsDir: path.join(userData, 'logs'), backupsDir: path.join(userData, 'backups') });
    for (const folder of Object.values(folders)) expect(fs.statSync(folder).isDirectory()).toBe(true);
  });

  it('move to BLOS_DATA_DIR when it is set', () => {
    const custom = path.join(tempDir(), 'portable');
    expect(prepareDataFolders(path.join(tempDir(), 'unused'), { BLOS_DATA_DIR: custom }).dataDir).toBe(custom);
  });
});

describe('where the .env files are read from', () => {
  it('an installed app reads only its data folder, never the folder it was started in', () => {
    expect(envFolders('/data', { isPackaged: true, cwd: '/somewhere' })).toEqual(['/data']);
  });

  it('while developing, the data folder first, then the working folder', () => {
    expect(envFolders('/data', { isPackaged: false, cwd: '/repo' })).toEqual(['/data', '/repo']);
  });
});

describe('the main-process log file', () => {
  it('appends timestamped lines and rolls over to one older file past its size limit', () => {
    const logs = tempDir();
    const log = openLogFile(logs, 'main.log', 100);
    log('first start');
    expect(fs.readFileSync(path.join(logs, 'main.log'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z first start\n$/);
    for (let i = 0; i < 10; i += 1) log(`line ${i}`);
    const current = fs.readFileSync(path.join(logs, 'main.log'), 'utf8');
    const older = fs.readFileSync(path.join(logs, 'main.log.1'), 'utf8');
    expect(current.length).toBeLessThan(200);
    expect(`${older}${current}`).toContain('line 9');
  });

  it('never throws, even when the folder is gone', () => {
    const log = openLogFile(path.join(tempDir(), 'missing', 'deeper'));
    expect(() => log('nowhere to go')).not.toThrow();
  });
});

describe('the external link allow-list (BLOS_EXTERNAL_HOSTS)', () => {
  it('is empty unless configured', () => {
    expect(parseExternalHosts({})).toEqual([]);
    expect(parseExternalHosts({ BLOS_EXTERNAL_HOSTS: '' })).toEqual([]);
  });

  it('reads comma-separated host names, trimmed and lower-cased', () => {
    expect(parseExternalHosts({ BLOS_EXTERNAL_HOSTS: ' Help.Example.org, docs.example.org ,' })).toEqual([
      'help.example.org',
      'docs.example.org',
    ]);
  });

  it.each(['https://help.example.org', '*.example.org', 'help.example.org:443', 'help.example.org/path'])(
    'refuses %s with a message naming the variable',
    (value) => {
      expect(() => parseExternalHosts({ BLOS_EXTERNAL_HOSTS: value })).toThrow(/^BLOS_EXTERNAL_HOSTS: expected a host name/);
    },
  );
});
