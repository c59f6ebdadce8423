import fs from 'node:fs';
import { cycles } from './cycles';
import { layerOf, readImports, SRC, type Import } from './imports';

/**
 * The layers of src, top to bottom (docs/architecture.md, "Layers"). A module imports its own layer
 * and the layers on the rows below it; layers that share a row do not know each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['renderer.ts'], // the renderer bundle's entry: picks the transport, renders the views
  ['views'], // the screens, under a narrower rule still (VIEWS)
  ['electron'], // Electron main and preload
  ['web'], // the browser host and the browser's bridge
  ['core'], // contract handlers, sessions, wiring
  ['ipc'], // the contract
  ['accounts', 'sync', 'server', 'conformance'],
  ['protocol'], // the sync wire vocabulary
  ['db', 'config'],
  ['worker-script.ts'], // finds a worker thread's script
  ['shared'], // dependency-free: imports nothing
];

/** The screens reach the core only through `window.blos`: from outside views they import values from shared alone. */
const VIEWS = { values: ['views', 'shared'], types: ['views', 'shared', 'ipc'] };

/** What the renderer bundle may load besides src: it runs in a browser (or a sandboxed renderer). */
const RENDERER_PACKAGES = ['preact', 'htm'];

/** Only the shell's two entry points load Electron; the rest of it runs in plain Node under Jest. */
const ELECTRON = { packages: ['electron', 'electron-updater'], layer: 'electron', entryPoints: ['electron/main.ts', 'electron/preload.ts'] };

const imports = readImports();
const row = (layer: string) => LAYERS.findIndex((names) => names.includes(layer));
const describeImport = ({ from, to, typeOnly }: Import) => `${from} imports ${typeOnly ? 'types from ' : ''}${to}`;

describe('the layering of src', () => {
  it('places every folder and file of src, and names nothing else', () => {
    const present = fs.readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory() || e.name.endsWith('.ts')).map((e) => e.name);
    expect(present.filter((name) => row(name) < 0)).toEqual([]);
    expect(LAYERS.flat().filter((name) => !present.includes(name))).toEqual([]);
  });

  it('imports only downward', () => {
    const upward = imports
      .filter((i) => i.inSrc && layerOf(i.from) !== layerOf(i.to) && row(layerOf(i.from)) >= row(layerOf(i.to)))
      .map((i) => `${describeImport(i)}: ${layerOf(i.to)} is ${row(layerOf(i.from)) === row(layerOf(i.to)) ? 'beside' : 'above'} ${layerOf(i.from)}`);
    expect(upward).toEqual([]);
  });

  it('has no import cycles, not even between two modules of one folder', () => {
    expect(cycles(imports.filter((i) => i.inSrc))).toEqual([]);
  });

  it('lets views import only types from the contract, and values only from views and shared', () => {
    const reaching = imports
      .filter((i) => i.inSrc && layerOf(i.from) === 'views')
      .filter((i) => !(i.typeOnly ? VIEWS.types : VIEWS.values).includes(layerOf(i.to)));
    expect(reaching.map(describeImport)).toEqual([]);
  });

  it('keeps Node and every package but preact and htm out of the renderer bundle', () => {
    const bundled = reachedByValue('renderer.ts');
    const foreign = imports.filter((i) => bundled.has(i.from) && !i.inSrc && !i.typeOnly && !RENDERER_PACKAGES.includes(i.to));
    expect(foreign.map(describeImport)).toEqual([]);
  });

  it('keeps shared free of dependencies', () => {
    const leaving = imports.filter((i) => layerOf(i.from) === 'shared' && !(i.inSrc && layerOf(i.to) === 'shared'));
    expect(leaving.map(describeImport)).toEqual([]);
  });

  it("loads electron only in the shell's entry points", () => {
    const misplaced = imports
      .filter((i) => ELECTRON.packages.includes(i.to))
      .filter((i) => layerOf(i.from) !== ELECTRON.layer || (!i.typeOnly && !ELECTRON.entryPoints.includes(i.from)));
    expect(misplaced.map(describeImport)).toEqual([]);
  });

  it('reads imports of every kind (so the rules above are not passing on nothing)', () => {
    expect(imports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: 'electron/main.ts', to: 'electron', typeOnly: false }),
        expect.objectContaining({ from: 'views/app.ts', to: 'ipc/contract.ts', typeOnly: true }),
        expect.objectContaining({ from: 'sync/index.ts', to: 'db/field-stamps.ts', typeOnly: false }),
      ]),
    );
  });
});

/** The modules `entry` loads at run time, itself included: following every import that is not erased. */
function reachedByValue(entry: string): Set<string> {
  const reached = new Set([entry]);
  for (const module of reached) {
    for (const i of imports) if (i.from === module && i.inSrc && !i.typeOnly) reached.add(i.to);
  }
  return reached;
}
