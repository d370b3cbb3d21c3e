import * as z from 'zod';
import { OPERATOR, sizeOf } from '../../src/kernel/artifact.ts';
import { KernelError, notFound } from '../../src/kernel/errors.ts';
import { defineMethod, type GenesisArtifactDef, type HandlerContext } from '../../src/kernel/genesis.ts';
import type { InstallOutcome, BuiltPackage } from '../../src/packages/installer.ts';
import { READ, WRITE, issueWorldDisk } from '../shared.ts';
import { Packages, packageArtifactId, type PackageRow } from './store.ts';

const name = z.string().min(1).max(214).describe('The package name, as on npm: lodash-es, @scope/name.');
const PAGE = 50;

const installedShape = z.object({
  id: z.string().describe('The library artifact: import the package by its name in your code.'),
  name: z.string(),
  version: z.string(),
  integrity: z.string(),
  license: z.string(),
  bytes: z.int(),
  installed_by: z.string(),
  packages: z.array(z.object({ name: z.string(), version: z.string(), license: z.string() })).describe('Everything bundled in, the package first.'),
  skipped_scripts: z.array(z.object({ package: z.string(), scripts: z.array(z.string()) })).describe('Install scripts the packages declare: none was run.'),
});

function view(r: PackageRow): z.input<typeof installedShape> {
  const d = JSON.parse(r.details) as { packages: { name: string; version: string; license: string }[]; skipped_scripts: { package: string; scripts: string[] }[] };
  return { id: r.artifact_id, name: r.name, version: r.version, integrity: r.integrity, license: r.license, bytes: r.bytes, installed_by: r.installed_by, packages: d.packages.map(({ name: n, version, license }) => ({ name: n, version, license })), skipped_scripts: d.skipped_scripts };
}

export const install = defineMethod({
  artifact: 'genesis_packages',
  name: 'install',
  tool: 'package_install',
  title: 'Install an npm package',
  description:
    'Installs a package from the npm registry for code in this world: fetched (integrity checked, no install script ever run), bundled with its dependencies into one library artifact, readable by everyone. Your code then imports it by name (`import { chunk } from "lodash-es"`). Costs a fee (a base plus per KiB of bundle, burned) and the bundling time from your cpu_ms; a version already installed costs nothing. Packages needing Node built-ins (fs, net, …) or native code are refused.',
  input: z.object({ name, version: z.string().min(1).max(64).optional().describe('A version, range or tag; default: latest.') }),
  output: installedShape.extend({ installed: z.boolean().describe('False if it was already there.'), fee: z.int() }),
  annotations: WRITE,
  // The registry and the bundler are outside the world: done before the command, in the caller's turn.
  prepare: async (args, caller, env) => (env.installPackage ? env.installPackage(args.name, args.version, caller) : null),
  handler: (ctx, args) => {
    const out = ctx.prepared as InstallOutcome | undefined;
    if (out === undefined) {
      throw new KernelError('INVALID_ARGS', ctx.config.packages.enabled ? 'package_install works only as a call of its own (not from code): fetching waits on the registry.' : 'Installing packages is off in this world (packages.enabled). package_list shows what is installed.', {});
    }
    if ('refused' in out) throw new KernelError(out.refused.code, out.refused.message, out.refused.details, out.refused.code === 'UPSTREAM_ERROR' ? { retryAfterMs: 5_000 } : { retriable: false });
    const pkgs = new Packages(ctx.services.store);
    const key = 'installed' in out ? out.installed : out.built;
    const there = pkgs.get(key.name, key.version);
    // Already installed (perhaps by someone whose install finished first): it is returned, for nothing.
    if (there) return { ...view(there), installed: false, fee: 0 };
    if ('installed' in out) throw new KernelError('CONFLICT', `${key.name}@${key.version} was removed while this install ran. Call package_install again.`, {});
    return record(ctx, pkgs, out.built, args.name);
  },
});

/** Records a built package: the fee burned, its library artifact (the world's), its row, an event. */
function record(ctx: HandlerContext, pkgs: Packages, b: BuiltPackage, asked: string) {
  if (b.name !== asked) throw new KernelError('INTERNAL', `the registry answered for ${b.name} when ${asked} was asked`, {});
  const c = ctx.config.packages;
  const bytes = Buffer.byteLength(b.code);
  const fee = c.fee_base + Math.ceil(bytes / 1024) * c.fee_per_kib;
  const have = ctx.services.ledger.balance(ctx.caller, 'scrip');
  if (have < fee) throw new KernelError('INSUFFICIENT_FUNDS', `Installing ${b.name}@${b.version} costs ${fee} scrip (${c.fee_base} plus ${c.fee_per_kib} per KiB of its ${bytes}-byte bundle); you have ${have}.`, { fee, balance: have });
  const id = packageArtifactId(b.name, b.version, (i) => ctx.services.artifacts.meta(i) !== undefined);
  if (ctx.services.artifacts.meta(id)) throw new KernelError('CONFLICT', `The id ${id} is taken; ${b.name}@${b.version} cannot be recorded under it.`, { id });
  // The module must load in the sandbox as bundled, or nobody could import it.
  ctx.inspectModule(id, b.code, false);
  ctx.services.ledger.burn(ctx.caller, 'scrip', fee, ctx.posting(`package:${b.name}@${b.version}`));
  const fields = {
    kind: 'library' as const,
    description: `npm package ${b.name}@${b.version} (${b.license}), bundled for the sandbox. Import it as '${b.name}' or '${b.name}@${b.version}'.`,
    content: JSON.stringify({ package: b.name, version: b.version, integrity: b.integrity, license: b.license, dependencies: b.dependencies }),
    code: b.code,
    interface: null,
    has_standing: false,
    can_execute: false,
  };
  // A package's bytes are the world's disk, not the installer's quota: issued to the world as they are needed.
  const need = sizeOf({ id, ...fields }, ctx.config.limits.artifact_overhead_bytes);
  issueWorldDisk(ctx, need, `package ${id}`);
  ctx.services.artifacts.insert({ id, ...fields, owner: OPERATOR, created_by: OPERATOR, access_contract_id: 'genesis_contract_freeware' }, ctx.now);
  const row: PackageRow = {
    name: b.name,
    version: b.version,
    artifact_id: id,
    integrity: b.integrity,
    license: b.license,
    bytes,
    details: JSON.stringify({ packages: b.packages, skipped_scripts: b.skipped_scripts }),
    installed_by: ctx.caller,
    installed_at: ctx.now,
  };
  pkgs.insert(row);
  ctx.emit('package_installed', { principal: ctx.caller, artifact: id }, { package: b.name, version: b.version, installer: ctx.caller, fee, bytes, packages: b.packages.length });
  return { ...view(row), installed: true, fee };
}

export const list = defineMethod({
  artifact: 'genesis_packages',
  name: 'list',
  tool: 'package_list',
  title: 'List installed packages',
  description: 'The npm packages installed in this world, by name (with how many versions), optionally those whose name contains query. Pages of 50: pass next_cursor back as cursor.',
  input: z.object({ query: z.string().max(214).optional(), cursor: z.string().max(214).optional() }),
  output: z.object({ packages: z.array(z.object({ name: z.string(), versions: z.int(), latest: installedShape })), next_cursor: z.string().nullable() }),
  annotations: READ,
  handler: (ctx, args) => {
    const pkgs = new Packages(ctx.services.store);
    const names = pkgs.names(args.query ?? null, args.cursor ?? null, PAGE + 1);
    const page = names.slice(0, PAGE);
    return {
      packages: page.map((n) => ({ name: n.name, versions: n.versions, latest: view(pkgs.versions(n.name, 1)[0]!) })),
      next_cursor: names.length > PAGE ? page.at(-1)!.name : null,
    };
  },
});

export const info = defineMethod({
  artifact: 'genesis_packages',
  name: 'info',
  tool: 'package_info',
  title: 'Show an installed package',
  description: 'Every installed version of a package: its library artifact, integrity, license, size, what was bundled in, and which install scripts were skipped.',
  input: z.object({ name }),
  output: z.object({ name: z.string(), versions: z.array(installedShape) }),
  annotations: READ,
  handler: (ctx, args) => {
    const versions = new Packages(ctx.services.store).versions(args.name);
    if (versions.length === 0) throw notFound('Package', args.name, 'It is not installed here: package_install installs it, package_list shows what is.', { name: args.name });
    return { name: args.name, versions: versions.map(view) };
  },
});

export const packagesArtifact: GenesisArtifactDef = {
  id: 'genesis_packages',
  description: 'The package manager: installs npm packages as library artifacts that code imports by name.',
  hasStanding: false,
  methods: [install, list, info],
};
