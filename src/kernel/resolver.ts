import { ID_PATTERN, MAX_ID_CHARS, PACKAGE_PREFIX, toMeta, type ArtifactMeta } from './artifact.ts';
import { KernelError, accessDenied } from './errors.ts';
import { Libraries, importError, type Imports, type Pin } from './libraries.ts';
import type { Decision, PermissionRequest } from './contracts.ts';
import type { Frame } from '../sandbox/protocol.ts';
import type { Services } from './services.ts';
import { builtinModules } from 'node:module';
import { maxSatisfying } from 'semver';
import { parseImport } from '../packages/spec.ts';

const isBuiltin = (m: string) => builtinModules.includes(m.split('/')[0]!);

/** An import naming an npm package this world has not installed (at a version the import allows). */
const notInstalled = (requested: string) =>
  isBuiltin(requested.replace(/^node:/, ''))
    ? importError(requested, "it is a Node built-in, and the sandbox has none. Imports name library artifacts (store_search {kind: 'library'}) or npm packages installed here (package_list).")
    : importError(requested, `it names an npm package this world has not installed${requested.lastIndexOf('@') > 0 ? ' at that version' : ''}. Install it first with package_install {name${requested.lastIndexOf('@') > 0 ? ', version' : ''}}, then write your code again; package_list shows what is installed.`);

type Decide = (req: PermissionRequest) => Decision;

/** The imports a write's module check resolved: the code's direct ones, and every version it loaded. */
export interface Pinned {
  imports: Imports;
  closure: Pin[];
}

/**
 * Resolves a guest's imports to module names and serves their code. A module written now (a write's
 * check, `frame.kind === 'module'`) resolves each library to its latest version, as long as the writer
 * may read it for free, and records what it pinned; code that runs later resolves through the pins its
 * artifact recorded then, to the kept versions. World libraries resolve by their plain name, always
 * current. Code written before pinning existed (no recorded imports) resolves to current versions.
 */
export class ImportResolver {
  constructor(private readonly s: Services) {}

  /** The module name `requested` stands for when imported by the module `base`; `decide` asks a library's contract. */
  resolve(frame: Frame, base: string, requested: string, pinning: Pinned | null, decide: Decide): string {
    // A package was bundled whole: an import its code builds at run time would reach libraries unpinned, so its
    // importers would run whatever those libraries become.
    if (base.startsWith(PACKAGE_PREFIX)) throw importError(requested, 'npm packages are bundled with their dependencies and import nothing at run time.');
    const top = base === `${frame.artifact}.js`;
    // An npm package installed here takes its name before any library artifact: code written now gets the
    // newest installed version its import allows, recorded with the code, and keeps getting that version.
    if (top && pinning) {
      const pkg = this.installedPackage(requested);
      if (pkg !== null) {
        pinning.imports[requested] = pkg;
        return pkg;
      }
    } else {
      const recorded = this.recordedPackage(frame, base, top, requested);
      if (recorded !== null) return recorded;
    }
    if (requested.length > MAX_ID_CHARS || !ID_PATTERN.test(requested)) {
      if (parseImport(requested) !== null) throw notInstalled(requested);
      throw importError(requested, "imports name library artifacts by id (there are no Node built-ins, npm modules or relative paths in the sandbox). Find libraries with store_search {kind: 'library'}.");
    }
    if (!Libraries.isPinnable(requested)) return this.requireLibrary(requested).id;
    if (top && pinning) {
      if (parseImport(requested) !== null && !this.s.artifacts.meta(requested)) throw notInstalled(requested);
      return this.pinLatest(frame, requested, pinning, true, decide);
    }
    // Whose pins apply: the running artifact's module, or a kept library version's. A module no artifact
    // owns (code made at run time, by \`new Function\` or eval) has no pins: it imports nothing.
    const version = top ? null : Libraries.parse(base);
    if (!top && version === null && !this.isWorldLibrary(base)) {
      throw importError(requested, 'imports resolve only from the module code of an artifact, as written; code built at run time (new Function, eval) cannot import.');
    }
    const importer = top ? frame.artifact : version ? version.id : base;
    const imports = top ? this.importsOfFrame(frame) : version ? this.importsOfVersion(version) : null;
    if (imports === null) {
      // Code written before imports were pinned resolves to what is there now, if its artifact may read it.
      return pinning ? this.pinLatest(frame, requested, pinning, false, decide) : this.legacy(frame, requested, decide);
    }
    const pinned = imports[requested];
    // A package's library: the world's, never rewritten, so the id recorded is the version.
    if (typeof pinned === 'string') return pinned;
    if (pinned === undefined) {
      throw importError(requested, `'${importer}' did not import it when its code was written. Imports are resolved and pinned when code is written: write the code again to import something new.`);
    }
    const pin = { id: requested, version: pinned };
    if (pinning) addPin(pinning, pin);
    return Libraries.moduleName(pin);
  }

  /** The package library a module's recorded imports resolved `requested` to when it was written, if any. */
  private recordedPackage(frame: Frame, base: string, top: boolean, requested: string): string | null {
    const version = top ? null : Libraries.parse(base);
    const imports = top ? this.importsOfFrame(frame) : version ? this.importsOfVersion(version) : null;
    const pinned = imports?.[requested];
    return typeof pinned === 'string' ? pinned : null;
  }

  /** The library artifact of the newest installed package version `requested` allows, or null if none is installed. */
  private installedPackage(requested: string): string | null {
    const spec = parseImport(requested);
    if (spec === null) return null;
    const rows = this.s.store.all<{ version: string; artifact_id: string }>('SELECT version, artifact_id FROM packages WHERE name = ?', spec.name);
    const best = maxSatisfying(rows.map((r) => r.version), spec.want, { includePrerelease: spec.want !== '*' });
    return best === null ? null : rows.find((r) => r.version === best)!.artifact_id;
  }

  /** The code of a resolved module name. */
  code(name: string): string {
    const pin = Libraries.parse(name);
    if (pin === null) return this.s.artifacts.code(this.requireLibrary(name));
    const kept = this.s.libraries.snapshot(pin);
    if (kept) return kept.code;
    // Pinned by the write now under way: its snapshot is taken when that write records its pins.
    const lib = this.s.artifacts.meta(pin.id);
    if (lib && lib.deleted_at === null && lib.kind === 'library' && lib.version === pin.version) return this.s.artifacts.code(lib);
    throw importError(name, 'that version is no longer kept (nothing pinned it).');
  }

  private isWorldLibrary(name: string): boolean {
    return !Libraries.isPinnable(name) && this.s.artifacts.meta(name)?.kind === 'library';
  }

  /** An unpinned import by code written before pinning: the latest version, if the running artifact may read it for free. */
  private legacy(frame: Frame, id: string, decide: Decide): string {
    const lib = this.requireLibrary(id);
    const d = decide({ caller: frame.artifact, action: 'read', target: toMeta(lib) });
    if (!d.allowed || d.cost > 0) throw accessDenied(`'${frame.artifact}' may not import '${id}': ${d.allowed ? 'its contract charges for reads' : d.reason}.`, { library: id });
    return lib.id;
  }

  /** Pins the latest version of `id` for the module being written; the writer must be able to read it for free. */
  private pinLatest(frame: Frame, id: string, pinning: Pinned, direct: boolean, decide: Decide): string {
    const lib = this.requireLibrary(id);
    // The writer must be able to read what it builds on (it could copy it anyway), without a fee.
    const d = decide({ caller: frame.caller, action: 'read', target: toMeta(lib) });
    if (!d.allowed || d.cost > 0) throw accessDenied(`'${frame.caller}' may not import '${id}': ${d.allowed ? 'its contract charges for reads' : d.reason}.`, { library: id });
    const pin = { id, version: lib.version };
    if (direct) pinning.imports[id] = lib.version;
    addPin(pinning, pin);
    return Libraries.moduleName(pin);
  }

  private importsOfFrame(frame: Frame): Imports | null {
    return this.s.artifacts.meta(frame.artifact)?.imports ?? null;
  }

  private importsOfVersion(p: Pin): Imports | null {
    const kept = this.s.libraries.snapshot(p);
    if (kept) return kept.imports;
    const lib = this.s.artifacts.meta(p.id);
    if (lib && lib.version === p.version) return lib.imports;
    throw importError(p.id, `version ${p.version} is no longer kept.`);
  }

  private requireLibrary(id: string): ArtifactMeta {
    const lib = this.s.artifacts.meta(id);
    if (!lib || lib.deleted_at !== null || lib.kind !== 'library') {
      throw new KernelError('NOT_FOUND', `There is no library artifact '${id}'. Only artifacts of kind 'library' can be imported; there are no Node built-ins or npm modules in the sandbox.`, { library: id });
    }
    return lib;
  }
}

function addPin(p: Pinned, pin: Pin): void {
  if (!p.closure.some((x) => x.id === pin.id && x.version === pin.version)) p.closure.push(pin);
}
