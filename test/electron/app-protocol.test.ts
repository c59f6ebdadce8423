import fs from 'node:fs';
import path from 'node:path';
import { resolveAppPath, serveAppRequest } from '../../src/electron/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../src/electron/content-security-policy';
import { tempDir } from '../support/temp';

// A renderer folder with a secret file next to it, which no app:// URL may reach.
const base = tempDir('blos-app-protocol-');
const renderer = path.join(base, 'renderer');
fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>BLOS</title>');
fs.writeFileSync(path.join(renderer, 'app.js'), 'console.log("app")');
fs.writeFileSync(path.join(renderer, 'assets', 'logo one.svg'), '<svg/>');
fs.writeFileSync(path.join(base, 'secret.txt'), 'database password');

describe('the app:// path resolver', () => {
  it('maps app://blos/<path> to the file under the renderer folder', () => {
    expect(resolveAppPath('app://blos/app.js', renderer)).toEqual({ ok: true, file: path.join(renderer, 'app.js') });
    expect(resolveAppPath('app://blos/assets/logo%20one.svg?v=2#x', renderer)).toEqual({
      ok: true,
      file: path.join(renderer, 'assets', 'logo one.svg'),
    });
  });

  it('serves index.html for the bare origin and for folders', () => {
    expect(resolveAppPath('app://blos', renderer)).toEqual({ ok: true, file: path.join(renderer, 'index.html') });
    expect(resolveAppPath('app://blos/', renderer)).toEqual({ ok: true, file: path.join(renderer, 'index.html') });
    expect(resolveAppPath('app://blos/assets/', renderer)).toEqual({ ok: true, file: path.join(renderer, 'assets', 'index.html') });
  });

  it.each([
    ['an encoded slash', 'app://blos/assets%2f..%2f..%2fsecret.txt'],
    ['an encoded backslash', 'app://blos/..%5csecret.txt'],
    ['a literal backslash', 'app://blos/assets\\..\\..\\secret.txt'],
    ['a Windows drive', 'app://blos/C:%5cWindows%5cwin.ini'],
    ['an encoded absolute path', 'app://blos/%2fetc%2fpasswd'],
    ['an empty segment (//)', 'app://blos//etc/passwd'],
    ['a NUL byte', 'app://blos/app.js%00.html'],
    ['malformed percent-encoding', 'app://blos/%E0%A4%A'],
    ['another host', 'app://other/index.html'],
    ['another scheme', 'file:///etc/passwd'],
    ['not a URL', '../secret.txt'],
  ])('refuses %s', (_label, url) => {
    expect(resolveAppPath(url, renderer)).toMatchObject({ ok: false, status: 400 });
  });

  it('keeps dot segments the URL parser normalises inside the folder', () => {
    for (const url of ['app://blos/../secret.txt', 'app://blos/assets/../../secret.txt', 'app://blos/%2e%2e/%2E%2e/secret.txt']) {
      expect(resolveAppPath(url, renderer)).toEqual({ ok: true, file: path.join(renderer, 'secret.txt') });
    }
  });

  it('decodes once: a doubly encoded slash names a file inside the folder, not a path', () => {
    expect(resolveAppPath('app://blos/..%252f..%252fsecret.txt', renderer)).toEqual({
      ok: true,
      file: path.join(renderer, '..%2f..%2fsecret.txt'),
    });
  });
});

describe('serving app:// requests', () => {
  it('answers a renderer file with its content type, the CSP and nosniff', async () => {
    const response = await serveAppRequest('app://blos/app.js', renderer);
    expect(response.status).toBe(200);
    expect(Buffer.from(response.body).toString()).toBe('console.log("app")');
    expect(response.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers 404 for a missing file or a file type it does not serve, still with the CSP', async () => {
    for (const url of ['app://blos/missing.js', 'app://blos/secret.txt']) {
      const response = await serveAppRequest(url, renderer);
      expect(response.status).toBe(404);
      expect(response.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('answers 400 and no file content for a traversal attempt', async () => {
    const response = await serveAppRequest('app://blos/..%2fsecret.txt', renderer);
    expect(response.status).toBe(400);
    expect(String(response.body)).not.toContain('database password');
  });
});
