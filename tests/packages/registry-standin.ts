import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { expect } from 'vitest';
import type { ConfigInput } from '../../src/kernel/config.ts';
import { openTestWorld } from '../helpers/world.ts';

/** A package version the stand-in serves: its files (under package/), and package.json fields beside them. */
export interface StandInPackage {
  name: string;
  version: string;
  files: Record<string, string>;
  main?: string;
  type?: 'module' | 'commonjs';
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  license?: string;
  gypfile?: boolean;
  /** Serve a tarball whose bytes differ from the integrity the packument gives. */
  tamper?: boolean;
  /** More package.json fields (exports, browser, license, …), in the tarball's package.json and the packument. */
  manifest?: Record<string, unknown>;
  /** Serve these tarball bytes instead of the ones built from files (the integrity given is theirs). */
  tarball?: () => Buffer | Promise<Buffer>;
}

/**
 * A local npm registry serving packuments and tarballs the tests build, so most of the package tests need no
 * network (the real registry is used by one test of its own). It speaks the registry's read protocol: GET
 * /<name> (a packument, scoped names %2f-encoded) and GET the tarball URL it gave.
 */
export async function registryStandIn(packages: StandInPackage[], opts: { delayMs?: number } = {}): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const work = mkdtempSync(join(tmpdir(), 'registry-standin-'));
  const tarballs = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = () => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
      const tgz = tarballs.get(path);
      if (tgz) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(tgz);
      }
      const versions = packages.filter((p) => p.name === path);
      if (versions.length === 0) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'not found' }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(packument(path, versions)));
    };
    if (opts.delayMs) setTimeout(answer, opts.delayMs);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const integrity = new Map<string, string>();
  for (const p of packages) {
    const dir = join(work, `${p.name.replace('/', '__')}-${p.version}`);
    const manifest = { name: p.name, version: p.version, license: p.license ?? 'MIT', ...(p.main ? { main: p.main } : {}), ...(p.type ? { type: p.type } : {}), ...(p.dependencies ? { dependencies: p.dependencies } : {}), ...(p.peerDependencies ? { peerDependencies: p.peerDependencies } : {}), ...(p.scripts ? { scripts: p.scripts } : {}), ...(p.gypfile ? { gypfile: true } : {}), ...p.manifest };
    for (const [f, text] of Object.entries({ 'package.json': JSON.stringify(manifest), ...p.files })) {
      mkdirSync(dirname(join(dir, 'package', f)), { recursive: true });
      writeFileSync(join(dir, 'package', f), text);
    }
    const file = join(dir, 'pkg.tgz');
    await tar.c({ gzip: true, file, cwd: dir, portable: true }, ['package']);
    const bytes = p.tarball ? await p.tarball() : readFileSync(file);
    const key = `${p.name}/-/${p.name.split('/').pop()}-${p.version}.tgz`;
    integrity.set(`${p.name}@${p.version}`, `sha512-${createHash('sha512').update(bytes).digest('base64')}`);
    tarballs.set(key, p.tamper ? Buffer.concat([bytes, Buffer.from([0])]) : bytes);
  }
  function packument(name: string, versions: StandInPackage[]) {
    const latest = versions.map((v) => v.version).sort().at(-1)!;
    return {
      name,
      'dist-tags': { latest },
      versions: Object.fromEntries(
        versions.map((p) => [
          p.version,
          {
            name: p.name,
            version: p.version,
            license: p.license ?? 'MIT',
            ...(p.main ? { main: p.main } : {}),
            ...(p.dependencies ? { dependencies: p.dependencies } : {}),
            ...(p.peerDependencies ? { peerDependencies: p.peerDependencies } : {}),
            ...(p.scripts ? { scripts: p.scripts } : {}),
            ...(p.gypfile ? { gypfile: true } : {}),
            ...p.manifest,
            dist: { tarball: `${url}${p.name}/-/${p.name.split('/').pop()}-${p.version}.tgz`, integrity: integrity.get(`${p.name}@${p.version}`) },
          },
        ]),
      ),
    };
  }
  return {
    url,
    requests,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * A test world whose installs go to a stand-in registry of `packages`, with a cache of its own (the stand-in's
 * packages must not meet npm's real cache). `close` checks the world's invariants.
 */
export async function packagesWorld(packages: StandInPackage[], o: { principals: string[]; packages?: Record<string, unknown>; config?: ConfigInput; delayMs?: number }) {
  const reg = await registryStandIn(packages, { delayMs: o.delayMs });
  const cache = mkdtempSync(join(tmpdir(), 'npm-cache-'));
  const t = await openTestWorld({ principals: o.principals, config: { ...o.config, packages: { registry: reg.url, cache_dir: cache, ...o.packages } } });
  return {
    t,
    reg,
    close: async () => {
      const report = t.world.check();
      await t.world.close();
      await reg.close();
      rmSync(cache, { recursive: true, force: true });
      expect(report.violations).toEqual([]);
    },
  };
}
