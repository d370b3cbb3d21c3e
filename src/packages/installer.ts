import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../kernel/config.ts';
import { bundlePackage } from './bundle.ts';
import { fetchTree, manifest, npmConfig } from './fetch.ts';
import { PackageRefused, parseInstall, type PackageSpec } from './spec.ts';

/** A package fetched and bundled, ready for the command to record as a library. */
export interface BuiltPackage {
  name: string;
  version: string;
  integrity: string;
  license: string;
  /** Every package in the bundle, the root first. */
  packages: { name: string; version: string; integrity: string; license: string }[];
  /** The root's dependencies as resolved. */
  dependencies: Record<string, string>;
  /** Install scripts the tree declares, none of which ran. */
  skipped_scripts: { package: string; scripts: string[] }[];
  code: string;
}

/** What a prepare hands the command: built, already there, or refused (with its code and message). */
export type InstallOutcome =
  | { built: BuiltPackage }
  | { installed: { name: string; version: string } }
  | { refused: { code: PackageRefused['code']; message: string; details: Record<string, unknown> } };

/**
 * Fetches and bundles packages outside the world's write transaction. Installs of one version in flight at
 * once share the work: the first does it, the others wait for its result and are charged nothing.
 */
export class PackageInstaller {
  private readonly inFlight = new Map<string, Promise<BuiltPackage>>();

  constructor(
    private readonly config: Config['packages'],
    /** Whether this world already has the version (then nothing is fetched). */
    private readonly has: (name: string, version: string) => boolean,
  ) {}

  /** Installs `name@version` (a version, range or tag); `canPay` is asked before any work is done. */
  async install(name: string, version: string | undefined, canPay: () => string | null): Promise<{ value: InstallOutcome; hostMs: number }> {
    let hostMs = 0;
    try {
      const spec = parseInstall(name, version);
      // An exact version already here needs nothing from the registry, and costs nothing.
      if (this.has(spec.name, spec.want)) return { value: { installed: { name: spec.name, version: spec.want } }, hostMs };
      const broke = canPay();
      if (broke !== null) throw new PackageRefused('INSUFFICIENT_FUNDS', broke);
      const opts = await this.options();
      const exact = await this.resolveVersion(spec, opts);
      if (this.has(spec.name, exact)) return { value: { installed: { name: spec.name, version: exact } }, hostMs };
      const key = `${spec.name}@${exact}`;
      const running = this.inFlight.get(key);
      if (running) return { value: { built: await running }, hostMs };
      // esbuild's wall time stands for its CPU (it runs in its own process): the installer's whether the bundle is
      // kept or refused (too big, a built-in).
      const work = this.build({ name: spec.name, want: exact }, opts, (ms) => (hostMs = ms));
      this.inFlight.set(key, work);
      try {
        return { value: { built: await work }, hostMs };
      } finally {
        this.inFlight.delete(key);
      }
    } catch (err) {
      if (err instanceof PackageRefused) return { value: { refused: { code: err.code, message: err.message, details: err.details } }, hostMs };
      return { value: { refused: { code: 'UPSTREAM_ERROR', message: `The install failed: ${String((err as Error)?.message ?? err).slice(0, 300)}. Retry later.`, details: {} } }, hostMs };
    }
  }

  private async options() {
    const c = this.config;
    const npm = await npmConfig();
    return {
      registry: c.registry ?? npm.registry,
      cache: c.cache_dir ?? npm.cache,
      maxPackages: c.max_packages,
      maxDownloadBytes: c.max_download_bytes,
      timeoutMs: c.timeout_ms,
    };
  }

  /** The exact version a spec stands for now, from the registry. */
  private async resolveVersion(spec: PackageSpec, opts: { registry: string; cache: string; timeoutMs: number }): Promise<string> {
    return (await manifest(spec.name, spec.want, { registry: opts.registry, cache: opts.cache, timeout: opts.timeoutMs }, false))!.version;
  }

  private async build(spec: PackageSpec, opts: Awaited<ReturnType<PackageInstaller['options']>>, bundled: (ms: number) => void): Promise<BuiltPackage> {
    const root = await mkdtemp(join(tmpdir(), 'ecology-pkg-'));
    try {
      const tree = await fetchTree(spec, root, opts);
      const started = performance.now();
      let code: string;
      try {
        code = (await bundlePackage(tree, { minify: this.config.minify, maxBytes: this.config.max_bundle_bytes })).code;
      } finally {
        bundled(performance.now() - started);
      }
      const top = tree[0]!;
      return {
        name: top.name,
        version: top.version,
        integrity: top.integrity,
        license: top.license,
        packages: tree.map((p) => ({ name: p.name, version: p.version, integrity: p.integrity, license: p.license })),
        dependencies: top.dependencies,
        skipped_scripts: tree.filter((p) => p.scripts.length > 0).map((p) => ({ package: `${p.name}@${p.version}`, scripts: p.scripts })),
        code,
      };
    } finally {
      await rm(root, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}
