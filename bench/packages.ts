/**
 * Issue 13: packages. Against the npm registry this machine's npm is configured for:
 * 1. installing a mid-sized package (lodash-es@4.17.21, about 600 files): with an empty npm cache, with npm's
 *    cache warm (a second world), and already installed (the same world again: nothing fetched);
 * 2. an import at invoke time: a tool calling lodash-es's chunk through `import`, against the same tool with the
 *    library's bundle pasted into its own code, as calls/s through the fair queue. Target ≤ 1.2x.
 *
 *   npm run bench -- --only packages [--package-calls 300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { World } from '../src/world.ts';
import { arg } from './args.ts';

const CALLS = arg('package-calls', 300);
const PKG = { name: 'lodash-es', version: '4.17.21' };

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

export async function packagesBench(): Promise<void> {
  console.log('\n== packages (issue 13) ==');
  const cache = mkdtempSync(join(tmpdir(), 'bench-npm-cache-'));
  const open = () => World.open({ config: { principal_defaults: { scrip: 1_000_000, calls: 10_000_000, cpu_ms: 10_000_000 }, packages: { cache_dir: cache }, bridges: { enabled: false } } });
  const install = async (w: World) => {
    const r = await w.submit('alice', 'genesis_packages', 'install', PKG);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as { bytes: number; fee: number; installed: boolean };
  };
  const first = await open();
  const second = await open();
  try {
    for (const w of [first, second]) w.createPrincipal('alice');
    const [cold, coldMs] = await timed(() => install(first));
    const [, warmMs] = await timed(() => install(second));
    const [again, againMs] = await timed(() => install(first));
    console.log(`install ${PKG.name}@${PKG.version} (${cold.bytes} bytes bundled, fee ${cold.fee}): empty npm cache ${coldMs.toFixed(0)} ms, npm cache warm ${warmMs.toFixed(0)} ms, already installed ${againMs.toFixed(1)} ms (installed: ${again.installed})`);

    const w = first;
    const body = 'export function run({ n }) { return chunk(Array.from({ length: n }, (_, i) => i), 3).length; }';
    const write = (id: string, code: string) => {
      const r = w.invoke('alice', 'genesis_store', 'write', { id, kind: 'code', can_execute: true, code, interface: [{ name: 'run', description: 'chunks', inputSchema: { type: 'object' }, price: 0 }] });
      if (!r.ok) throw new Error(r.error.message);
    };
    write('imported', `import { chunk } from '${PKG.name}';\n${body}`);
    // The same library pasted in: its bundle as the tool's own code (no import to resolve or load).
    const bundle = w.kernel.services.artifacts.get('npm_lodash-es_4_17_21')!.code;
    const limit = w.config.limits.max_code_bytes;
    // The bundle's export clause names chunk's local (minified) binding: bind it as chunk, drop the clause.
    const exportsClause = /export\s*\{([^}]*)\};?\s*$/.exec(bundle)![1]!;
    const local = exportsClause.split(',').map((x) => x.trim().split(/\s+as\s+/)).find(([, as]) => as === 'chunk')![0]!;
    const inlinedCode = `${bundle.replace(/export\s*\{[^}]*\};?\s*$/, '')}\nconst chunk = ${local};\n${body}`;
    if (inlinedCode.length > limit) console.log(`(inlined code is ${inlinedCode.length} bytes, over max_code_bytes ${limit}: raised for this comparison)`);
    const w2 = inlinedCode.length > limit ? await World.open({ config: { principal_defaults: { scrip: 1_000_000, calls: 10_000_000, cpu_ms: 10_000_000 }, limits: { max_code_bytes: 4 * 1024 * 1024 }, bridges: { enabled: false }, packages: { enabled: false } } }) : w;
    if (w2 !== w) w2.createPrincipal('alice');
    const r = w2.invoke('alice', 'genesis_store', 'write', { id: 'inlined', kind: 'code', can_execute: true, code: inlinedCode, interface: [{ name: 'run', description: 'chunks', inputSchema: { type: 'object' }, price: 0 }] });
    if (!r.ok) throw new Error(r.error.message);
    const rate = async (world: World, id: string) => {
      for (let i = 0; i < 20; i++) await world.submit('alice', id, 'run', { n: 30 });
      const t = performance.now();
      for (let i = 0; i < CALLS; i++) {
        const x = await world.submit('alice', id, 'run', { n: 30 });
        if (!x.ok || x.value !== 10) throw new Error(JSON.stringify(x));
      }
      return (performance.now() - t) / CALLS;
    };
    const imported = await rate(w, 'imported');
    const inlined = await rate(w2, 'inlined');
    console.log(`invoke a tool using lodash-es chunk (${CALLS} sequential): imported ${imported.toFixed(2)} ms, inlined ${inlined.toFixed(2)} ms: ${(imported / inlined).toFixed(2)}x (target ≤ 1.2x)`);
    if (w2 !== w) await w2.close();
  } finally {
    await first.close();
    await second.close();
    rmSync(cache, { recursive: true, force: true });
  }
}
