import { execFile } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import pacote from 'pacote';
import * as tar from 'tar';
import { PackageRefused, checkDependency, type PackageSpec } from './spec.ts';

/** What pacote needs from npm's configuration (the registry, the cache) and our limits. */
export interface FetchOptions {
  registry: string;
  cache: string;
  /** Packages in one tree, the root included. */
  maxPackages: number;
  /** Bytes of all the tree's tarballs, unpacked, each entry counted in whole 4 KiB blocks (what it takes on disk). */
  maxDownloadBytes: number;
  timeoutMs: number;
}

export interface ResolvedPackage {
  name: string;
  version: string;
  integrity: string;
  license: string;
  /** The folder it was unpacked in. */
  dir: string;
  /** Its dependencies, resolved: name → version. */
  dependencies: Record<string, string>;
  /** Install scripts it declares (never run: recorded so the record says what was skipped). */
  scripts: string[];
}

/** The registry and cache npm on this machine is configured for (its .npmrc, environment, defaults), asked of npm once. */
let configured: Promise<{ registry: string; cache: string }> | null = null;
export function npmConfig(): Promise<{ registry: string; cache: string }> {
  configured ??= new Promise((resolve) => {
    execFile('npm', ['config', 'get', 'registry', 'cache'], { timeout: 15_000 }, (err, out) => {
      // Asked for two keys, npm prints `key=value` lines.
      const got = Object.fromEntries((err ? '' : out).trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]));
      const { registry, cache } = got as { registry?: string; cache?: string };
      resolve({ registry: registry || 'https://registry.npmjs.org/', cache: join(cache || join(homedir(), '.npm'), '_cacache') });
    });
  });
  return configured;
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/**
 * Resolves a package and its dependency tree through npm's own fetcher (pacote: the registry npm is
 * configured for, tarball integrity checked against the registry's), unpacks every package into `root`
 * without running any script, and links each to its dependencies so a bundler resolves them as Node would.
 * Dependencies are resolved depth first, one version per range (a version met twice is one package); peer dependencies are installed
 * like ordinary ones (unless optional and missing); optional dependencies are left out (they are
 * platform builds and extras, which a sandbox bundle cannot use).
 */
export async function fetchTree(spec: PackageSpec, root: string, o: FetchOptions): Promise<ResolvedPackage[]> {
  // No script ever runs, even where pacote would run one (a git or folder dependency's prepare, were one let through).
  const opts = { registry: o.registry, cache: o.cache, fullMetadata: true, timeout: o.timeoutMs, ignoreScripts: true };
  const all: ResolvedPackage[] = [];
  const budget = { left: o.maxDownloadBytes };
  const tooBig = () => new PackageRefused('QUOTA_EXCEEDED', `${spec.name} and its dependencies unpack to more than ${o.maxDownloadBytes} bytes (each file counted in whole 4 KiB blocks), the most one install may fetch. Choose a smaller package.`, { limit: o.maxDownloadBytes });

  // Depth first; a version met again (a cycle, or a shared dependency) is the same package, linked again.
  const resolveOne = async (name: string, want: string, optional: boolean): Promise<ResolvedPackage | null> => {
        const m = await manifest(name, want, opts, optional);
        if (m === null) return null;
        const existing = all.find((x) => x.name === m.name && x.version === m.version);
        if (existing) return existing;
        if (all.length >= o.maxPackages) throw new PackageRefused('QUOTA_EXCEEDED', `${spec.name} needs more than ${o.maxPackages} packages with its dependencies, the most one install may fetch. Choose a package with fewer dependencies.`, { limit: o.maxPackages });
        if (m.gypfile || m.binary || Object.values(m.scripts ?? {}).some((s) => /node-gyp|prebuild|node-pre-gyp/.test(String(s)))) {
          throw new PackageRefused('INVALID_ARGS', `${m.name}@${m.version}${m.name === spec.name ? '' : ` (a dependency of ${spec.name})`} builds native code, which cannot run in the sandbox. Choose a pure-JavaScript package.`, { package: m.name });
        }
        const dir = join(root, String(all.length));
        const entry: ResolvedPackage = {
          name: m.name,
          version: m.version,
          integrity: m._integrity ?? '',
          license: licenseOf(m.license),
          dir,
          dependencies: {},
          scripts: INSTALL_SCRIPTS.filter((s) => m.scripts?.[s] !== undefined),
        };
        all.push(entry);
        await extract(`${m.name}@${m.version}`, dir, { ...opts, integrity: m._integrity, resolved: m._resolved }, budget, tooBig);
        const deps: [string, string, boolean][] = [
          ...Object.entries(m.dependencies ?? {}).map(([n, r]) => [n, String(r), false] as [string, string, boolean]),
          ...Object.entries((m as { peerDependencies?: Record<string, string> }).peerDependencies ?? {})
            .filter(([n]) => !(m.dependencies ?? {})[n])
            .map(([n, r]) => [n, String(r), Boolean((m as { peerDependenciesMeta?: Record<string, { optional?: boolean }> }).peerDependenciesMeta?.[n]?.optional)] as [string, string, boolean]),
        ];
        for (const [n, r, opt] of deps) {
          try {
            checkDependency(`${m.name}@${m.version}`, n, r);
          } catch (err) {
            if (opt) continue;
            throw err;
          }
          const dep = await resolveOne(n, r, opt);
          if (dep === null) continue;
          entry.dependencies[n] = dep.version;
          await link(dir, n, dep.dir);
        }
        return entry;
  };

  const top = await resolveOne(spec.name, spec.want, false);
  if (top === null) throw new PackageRefused('NOT_FOUND', `There is no package ${spec.name}@${spec.want} in the registry.`);
  // The bundler's entry imports the package by name from the tree's root.
  await link(root, top.name, top.dir);
  return all;
}

type Manifest = Awaited<ReturnType<typeof pacote.manifest>> & { gypfile?: boolean; binary?: unknown; license?: unknown; scripts?: Record<string, string> };

/** A package's manifest from the registry, npm's errors made refusals that say what to do (null: optional and missing). */
export async function manifest(name: string, want: string, opts: Record<string, unknown>, optional: boolean): Promise<Manifest | null> {
  try {
    return (await pacote.manifest(`${name}@${want}`, opts)) as Manifest;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (optional) return null;
    if (code === 'E404') throw new PackageRefused('NOT_FOUND', `There is no package '${name}' in the registry. Check its name (store_search finds what is installed here).`, { package: name });
    if (code === 'ETARGET') throw new PackageRefused('NOT_FOUND', `${name} has no version matching '${want}'. package_info lists the versions installed here; the registry's are on npm.`, { package: name, version: want });
    if (code === 'EINTEGRITY') throw new PackageRefused('UPSTREAM_ERROR', `${name}@${want}: the tarball does not match the integrity the registry gave. Nothing was installed.`, { package: name });
    throw new PackageRefused('UPSTREAM_ERROR', `The registry did not answer for ${name}@${want}: ${(err as Error).message.slice(0, 200)}. Retry later.`, { package: name });
  }
}

/** Makes `<dir>/node_modules/<name>` point at `target` (scoped names get their scope folder). */
async function link(dir: string, name: string, target: string): Promise<void> {
  const at = join(dir, 'node_modules', name);
  await mkdir(dirname(at), { recursive: true });
  await symlink(target, at, 'dir').catch((err: NodeJS.ErrnoException) => {
    // A tarball may carry its own node_modules (bundled dependencies): that copy wins.
    if (err.code !== 'EEXIST') throw err;
  });
}

/** A licence as recorded (and shown in the library's description): an SPDX expression, or UNKNOWN for anything else a package wrote there. */
function licenseOf(license: unknown): string {
  return typeof license === 'string' && license.length <= 64 && /^\(?[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) \(?[A-Za-z0-9.+-]+\)?)*\)?$/.test(license) ? license : 'UNKNOWN';
}

const BLOCK = 4_096;

/**
 * Unpacks a package's tarball into `dir` as pacote does (the integrity checked, the top folder stripped, only
 * plain files written: links and devices are dropped, paths kept inside `dir`), taking each entry's size from its
 * header out of `budget` before anything of it is written, so a tarball that would unpack past it (a gzip bomb,
 * a million empty files) is refused as soon as its headers say so.
 */
async function extract(spec: string, dir: string, opts: Record<string, unknown>, budget: { left: number }, tooBig: () => PackageRefused): Promise<void> {
  await mkdir(dir, { recursive: true });
  await pacote.tarball.stream(
    spec,
    (tarball) =>
      new Promise<void>((resolve, reject) => {
        let refused: PackageRefused | null = null;
        const unpack = tar.x({
          cwd: dir,
          strip: 1,
          noChmod: true,
          noMtime: true,
          preserveOwner: false,
          filter: (_path, entry) => {
            if (refused) return false;
            budget.left -= Math.max(1, Math.ceil(('size' in entry ? entry.size : 0) / BLOCK)) * BLOCK;
            if (budget.left < 0) {
              // Nothing more is read (the download waits, unread); what is being written finishes, then it is refused.
              refused = tooBig();
              tarball.unpipe(unpack);
              queueMicrotask(() => unpack.end());
              return false;
            }
            if (!('type' in entry) || !/File$/.test(entry.type)) return false;
            entry.mode = 0o644;
            return true;
          },
        });
        // Ended early, the archive is cut short: that error is the refusal.
        unpack.on('error', (err) => reject(refused ?? err));
        unpack.on('close', () => (refused ? reject(refused) : resolve()));
        tarball.on('error', reject);
        tarball.pipe(unpack);
      }),
    opts,
  );
}
