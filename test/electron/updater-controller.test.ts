import { TURNED_OFF_MESSAGE, UpdaterController, updatesDisabledReason } from '../../src/electron/updater-controller';
import { FakeOsUpdater as FakeUpdater } from '../support/fake-os-updater';

/** Timers the test fires by hand, so "every few hours" needs no waiting. */
function manualTimers() {
  const active = new Map<number, () => void>();
  let next = 1;
  return {
    active,
    fire: () => active.forEach((callback) => callback()),
    timers: {
      setInterval: ((callback: () => void) => {
        active.set(next, callback);
        return next++;
      }) as unknown as typeof setInterval,
      clearInterval: ((id: number) => active.delete(id)) as unknown as typeof clearInterval,
    },
  };
}

function startController(fake = new FakeUpdater(), turnedOff = false) {
  const clock = manualTimers();
  const logged: string[] = [];
  const controller = new UpdaterController({
    createUpdater: () => fake,
    disabledReason: null,
    turnedOff,
    timers: clock.timers,
    log: (line) => logged.push(line),
  });
  controller.start();
  return { controller, fake, clock, logged };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('when updates are disabled', () => {
  it('names why: not packaged, in tests, or a build without a feed', () => {
    const base = { isPackaged: true, hasFeed: true, env: {} };
    expect(updatesDisabledReason(base)).toBeNull();
    expect(updatesDisabledReason({ ...base, isPackaged: false })).toMatch(/not an installed build/);
    expect(updatesDisabledReason({ ...base, env: { NODE_ENV: 'test' } })).toMatch(/tests/);
    expect(updatesDisabledReason({ ...base, hasFeed: false })).toMatch(/made without an update address/);
  });

  it('an installed build with a feed checks by default, with nothing configured on the PC', async () => {
    const { fake } = startController();
    await settle();
    expect(fake.checks).toBe(1);
  });

  it('never builds the OS updater, checks or installs, and reports the reason', async () => {
    let built = 0;
    const controller = new UpdaterController({
      createUpdater: () => {
        built += 1;
        return new FakeUpdater();
      },
      disabledReason: 'Updates are off: this app is not an installed build.',
    });
    controller.start();
    await controller.check();
    controller.install();
    expect(built).toBe(0);
    expect(controller.status()).toEqual({ state: 'disabled', message: 'Updates are off: this app is not an installed build.' });
  });
});

describe('when updates are enabled', () => {
  it("leaves the feed to electron-updater (the baked app-update.yml), downloads in the background and installs on quit", () => {
    const { fake } = startController();
    expect(fake).not.toHaveProperty('setFeedURL');
    expect(fake.autoDownload).toBe(true);
    expect(fake.autoInstallOnAppQuit).toBe(true);
  });

  it('checks at start and again on every interval, and stops checking once stopped', async () => {
    const { controller, fake, clock } = startController();
    await settle();
    expect(fake.checks).toBe(1);
    clock.fire();
    await settle();
    expect(fake.checks).toBe(2);
    controller.stop();
    expect(clock.active.size).toBe(0);
    expect(fake.listenerCount('error')).toBe(0);
  });

  it('turns the updater events into the status the UI shows', async () => {
    const { controller, fake } = startController();
    await settle();
    fake.emit('checking-for-update');
    expect(controller.status()).toEqual({ state: 'checking' });
    fake.emit('update-not-available', { version: '0.1.0' });
    expect(controller.status()).toEqual({ state: 'up-to-date' });
    fake.emit('update-available', { version: '0.2.0' });
    expect(controller.status()).toEqual({ state: 'available', version: '0.2.0' });
    fake.emit('download-progress', { percent: 41.6 });
    expect(controller.status()).toEqual({ state: 'downloading', version: '0.2.0', progress: 42 });
    fake.emit('update-downloaded', { version: '0.2.0' });
    expect(controller.status()).toMatchObject({ state: 'ready', version: '0.2.0', message: expect.stringMatching(/Restart/) });
  });

  it('installs only a downloaded update, through quitAndInstall', async () => {
    const { controller, fake } = startController();
    await settle();
    controller.install();
    expect(fake.installs).toBe(0);
    fake.emit('update-downloaded', { version: '0.2.0' });
    controller.install();
    expect(fake.installs).toBe(1);
  });

  it('does not start a second check while one runs or an update waits to install', async () => {
    const fake = new FakeUpdater();
    let finish: () => void = () => {};
    fake.checkBehaviour = () => new Promise((resolve) => (finish = () => resolve(null)));
    const { controller } = startController(fake);
    await controller.check();
    expect(fake.checks).toBe(1);
    finish();
    await settle();
    fake.emit('update-downloaded', { version: '0.2.0' });
    await controller.check();
    expect(fake.checks).toBe(1);
  });

  it('returns to idle when the updater skips a check without an event', async () => {
    const { controller } = startController();
    await settle();
    expect(controller.status()).toEqual({ state: 'idle' });
  });
});

describe("an administrator's switch", () => {
  it('turned off at start: never builds the OS updater and says an administrator can turn it on', async () => {
    let built = 0;
    const controller = new UpdaterController({ createUpdater: () => (built++, new FakeUpdater()), disabledReason: null, turnedOff: true });
    controller.start();
    await controller.check();
    expect(built).toBe(0);
    expect(controller.status()).toEqual({ state: 'disabled', message: TURNED_OFF_MESSAGE, turnedOff: true });
  });

  it('turned off while running: stops checking, and a downloaded update is no longer installed on quit', async () => {
    const { controller, fake, clock } = startController();
    await settle();
    fake.emit('update-downloaded', { version: '0.2.0' });
    controller.setTurnedOff(true);
    expect(fake).toMatchObject({ autoDownload: false, autoInstallOnAppQuit: false });
    expect(clock.active.size).toBe(0);
    controller.install();
    expect(fake.installs).toBe(0);
    expect(controller.status()).toMatchObject({ state: 'disabled', turnedOff: true });
  });

  it('turned on again: checks at once and on the interval', async () => {
    const { controller, fake, clock } = startController(new FakeUpdater(), true);
    controller.setTurnedOff(false);
    await settle();
    expect(fake.checks).toBe(1);
    expect(fake).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true });
    expect(clock.active.size).toBe(1);
  });

  it('cannot turn on what the build or the environment rules out', () => {
    const controller = new UpdaterController({ createUpdater: () => new FakeUpdater(), disabledReason: 'Updates are off in tests.', turnedOff: true });
    controller.setTurnedOff(false);
    expect(controller.status()).toEqual({ state: 'disabled', message: 'Updates are off in tests.' });
  });
});

describe('a failed update never breaks the running app', () => {
  it('a check that throws at once becomes the error status, and the next check runs again', async () => {
    const fake = new FakeUpdater();
    fake.checkBehaviour = () => {
      throw new Error('feed unreachable');
    };
    const { controller, logged, clock } = startController(fake);
    await settle();
    expect(controller.status()).toEqual({ state: 'error', message: 'The update could not be completed: feed unreachable' });
    expect(logged).toEqual(['update failed: feed unreachable']);
    fake.checkBehaviour = async () => {
      fake.emit('update-not-available', { version: '0.1.0' });
      return null;
    };
    clock.fire();
    await settle();
    expect(controller.status()).toEqual({ state: 'up-to-date' });
  });

  it('a rejected check becomes the error status and check() still resolves', async () => {
    const fake = new FakeUpdater();
    fake.checkBehaviour = () => Promise.reject(new Error('HTTP 503'));
    const { controller } = startController(fake);
    await expect(controller.check()).resolves.toBeUndefined();
    expect(controller.status()).toMatchObject({ state: 'error', message: expect.stringContaining('HTTP 503') });
  });

  it("an emitted 'error' (a failed download) becomes the error status", async () => {
    const { controller, fake } = startController();
    await settle();
    fake.emit('update-available', { version: '0.2.0' });
    fake.emit('error', new Error('sha512 checksum mismatch'));
    expect(controller.status()).toMatchObject({ state: 'error', message: expect.stringContaining('checksum mismatch') });
  });

  it('an error after the download finished keeps the update ready to install', async () => {
    const { controller, fake } = startController();
    await settle();
    fake.emit('update-downloaded', { version: '0.2.0' });
    fake.emit('error', new Error('later check failed'));
    expect(controller.status().state).toBe('ready');
  });

  it('a quitAndInstall that throws is reported and the update stays ready to install', async () => {
    const fake = new FakeUpdater();
    fake.installBehaviour = () => {
      throw new Error('installer missing');
    };
    const { controller } = startController(fake);
    await settle();
    fake.emit('update-downloaded', { version: '0.2.0' });
    expect(() => controller.install()).not.toThrow();
    expect(controller.status()).toMatchObject({ state: 'ready', version: '0.2.0', message: expect.stringContaining('installer missing') });
  });

  it('an updater that cannot even be built or configured becomes the error status', () => {
    const controller = new UpdaterController({
      createUpdater: () => {
        throw new Error('app-update.yml is missing');
      },
      disabledReason: null,
    });
    expect(() => controller.start()).not.toThrow();
    expect(controller.status()).toMatchObject({ state: 'error', message: expect.stringContaining('app-update.yml') });
  });

  it('odd event payloads do not throw', async () => {
    const { controller, fake } = startController();
    await settle();
    expect(() => fake.emit('download-progress', undefined)).not.toThrow();
    expect(controller.status()).toMatchObject({ state: 'downloading', progress: 0 });
    expect(() => fake.emit('error', 'a string, not an Error')).not.toThrow();
    expect(controller.status()).toMatchObject({ state: 'error', message: expect.stringContaining('a string') });
  });
});
