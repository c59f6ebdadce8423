import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadClientConfig, loadServerConfig } from '../../src/config/env';
import { tempDir } from '../support/temp';

const KEY = 'ab'.repeat(32);

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('client configuration', () => {
  it('defaults the pull interval to 30 s and needs no server to start', () => {
    const config = loadClientConfig([], {});
    expect(config.SYNC_PULL_INTERVAL_MS).toBe(30_000);
    expect(config.SYNC_SERVER_URL).toBeUndefined();
  });

  it('reads the user-data .env before the working folder .env, and the environment before both', () => {
    const userData = tempDir();
    const workDir = tempDir();
    fs.writeFileSync(path.join(userData, '.env'), 'SYNC_PULL_INTERVAL_MS=5000\n');
    fs.writeFileSync(path.join(workDir, '.env'), `SYNC_PULL_INTERVAL_MS=7000\nSYNC_API_KEY=${KEY}\n`);
    expect(loadClientConfig([userData, workDir], {})).toMatchObject({ SYNC_PULL_INTERVAL_MS: 5000, SYNC_API_KEY: KEY });
    expect(loadClientConfig([userData, workDir], { SYNC_PULL_INTERVAL_MS: '9000' }).SYNC_PULL_INTERVAL_MS).toBe(9000);
  });

  it('refuses an http:// sync server on another computer unless SYNC_ALLOW_HTTP=1 (a lab); loopback and https pass', () => {
    expect(problemsOf(() => loadClientConfig([], { SYNC_SERVER_URL: 'http://sync.example.org' }))).toEqual([
      expect.stringMatching(/^SYNC_SERVER_URL: must start with https:\/\/ for a server on another computer.*SYNC_ALLOW_HTTP=1 allows http\)$/),
    ]);
    expect(problemsOf(() => loadClientConfig([], { SYNC_SERVER_URL: 'http://10.0.0.5:8787' }))).toHaveLength(1);
    expect(loadClientConfig([], { SYNC_SERVER_URL: 'http://10.0.0.5:8787', SYNC_ALLOW_HTTP: '1' }).SYNC_SERVER_URL).toBe('http://10.0.0.5:8787');
    for (const url of ['https://sync.example.org', 'http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787']) {
      expect(loadClientConfig([], { SYNC_SERVER_URL: url }).SYNC_SERVER_URL).toBe(url);
    }
  });

  it.each([
    ['short', 'abc123'],
    ['non-hex', 'z'.repeat(64)],
    ['too long', 'a'.repeat(65)],
  ])('refuses a %s API key, naming the variable without echoing it', (_label, key) => {
    const problems = problemsOf(() => loadClientConfig([], { SYNC_API_KEY: key }));
    expect(problems).toEqual(['SYNC_API_KEY: expected 64 hexadecimal characters (0-9, a-f)']);
    expect(problems.join()).not.toContain(key);
  });

  it.each(['not a url', 'ftp://example.org', 'javascript:alert(1)'])('refuses the server URL %p', (url) => {
    expect(problemsOf(() => loadClientConfig([], { SYNC_SERVER_URL: url }))).toEqual([
      'SYNC_SERVER_URL: expected an http:// or https:// URL',
    ]);
  });

  it("refuses a bad updates switch and a bad pull interval together", () => {
    expect(problemsOf(() => loadClientConfig([], { BLOS_DISABLE_UPDATES: 'yes', SYNC_PULL_INTERVAL_MS: '10' }))).toEqual([
      'SYNC_PULL_INTERVAL_MS: expected a whole number from 1000 to 86400000',
      'BLOS_DISABLE_UPDATES: expected 1 (updates off) or 0 (updates on)',
    ]);
  });

  it('ignores BLOS_UPDATE_URL at run time: the feed is fixed when the installer is built', () => {
    expect(loadClientConfig([], { BLOS_UPDATE_URL: 'http://elsewhere.example.org' })).not.toHaveProperty('BLOS_UPDATE_URL');
  });

  it('drops a trailing slash from the server URL', () => {
    expect(loadClientConfig([], { SYNC_SERVER_URL: 'http://127.0.0.1:8787/' }).SYNC_SERVER_URL).toBe(
      'http://127.0.0.1:8787',
    );
  });
});

describe('server configuration', () => {
  it('requires an API key', () => {
    expect(problemsOf(() => loadServerConfig([], {}))).toEqual([
      'SYNC_API_KEY: required: expected 64 hexadecimal characters (0-9, a-f)',
    ]);
  });

  it('has loopback defaults and takes port 0 for any free port', () => {
    expect(loadServerConfig([], { SYNC_API_KEY: KEY, SYNC_SERVER_PORT: '0' })).toMatchObject({
      SYNC_SERVER_HOST: '127.0.0.1',
      SYNC_SERVER_PORT: 0,
    });
  });

  it('refuses a port out of range', () => {
    expect(problemsOf(() => loadServerConfig([], { SYNC_API_KEY: KEY, SYNC_SERVER_PORT: '70000' }))).toEqual([
      'SYNC_SERVER_PORT: expected a whole number from 0 to 65535',
    ]);
  });
});
