import * as esbuild from 'esbuild';
import path from 'node:path';
import bundleExternals from '../../scripts/bundle-externals.json';
import { createBridge, type CallResult } from '../../src/ipc/bridge';
import { CONTRACT_NAMES } from '../../src/ipc/contract';

const root = path.resolve(__dirname, '../..');

describe('the preload object (window.blos)', () => {
  it("exposes exactly the contract's names, each forwarding its name and input over the one channel", async () => {
    const sent: Array<[string, unknown]> = [];
    const bridge = createBridge(async (name, input): Promise<CallResult> => {
      sent.push([name, input]);
      return { ok: true, value: `answer to ${name}` };
    });
    expect(Object.keys(bridge).sort()).toEqual([...CONTRACT_NAMES].sort());
    expect(Object.isFrozen(bridge)).toBe(true);
    await expect(bridge['sync.status'](undefined as never)).resolves.toBe('answer to sync.status');
    expect(sent).toEqual([['sync.status', undefined]]);
  });

  it('bundles into one file whose only require is electron, without zod or Node modules', async () => {
    const result = await esbuild.build({
      entryPoints: [path.join(root, 'src/electron/preload.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      external: bundleExternals.preload,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.outputFiles).toHaveLength(1);
    const code = result.outputFiles[0]!.text;
    const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => input.includes('node_modules'))).toEqual([]);
    expect(code).toMatch(/exposeInMainWorld\(\s*"blos"/);
    expect(code).toContain('"blos:call"');
    for (const name of CONTRACT_NAMES) expect(code).toContain(`"${name}"`);
  });
});
