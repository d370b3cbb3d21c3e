import npa from 'npm-package-arg';

/** Why a package request is refused before anything is fetched: a stable code and what to do instead. */
export class PackageRefused extends Error {
  constructor(
    readonly code: 'INVALID_ARGS' | 'NOT_FOUND' | 'QUOTA_EXCEEDED' | 'UPSTREAM_ERROR' | 'TIMEOUT' | 'INSUFFICIENT_FUNDS',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface PackageSpec {
  name: string;
  /** A version, a range or a dist-tag ('latest' when none was given). */
  want: string;
}

const MAX_SPEC_CHARS = 214 + 64;

/** A spec the registry answers: a name with a version, range or tag. */
const fromRegistry = (p: npa.Result): boolean => p.type === 'version' || p.type === 'range' || p.type === 'tag';

/**
 * Parses what an agent asked to install, with npm's own parser. Only registry specs are accepted: a name with
 * a version, range or tag. Files, folders, git, URLs and aliases are refused (they would reach outside the
 * registry, or onto this machine's disk).
 */
export function parseInstall(name: string, version?: string): PackageSpec {
  const raw = version === undefined ? name : `${name}@${version}`;
  if (raw.length > MAX_SPEC_CHARS) throw new PackageRefused('INVALID_ARGS', `A package spec is at most ${MAX_SPEC_CHARS} characters.`);
  let parsed: npa.Result;
  try {
    parsed = npa(raw);
  } catch (err) {
    throw new PackageRefused('INVALID_ARGS', `'${raw}' is not a valid npm package spec: ${(err as Error).message}. Give a package name (like lodash-es or @scope/name) and optionally a version or range.`);
  }
  if (!fromRegistry(parsed)) {
    throw new PackageRefused('INVALID_ARGS', `'${raw}' is a ${parsed.type} spec; only packages from the registry can be installed (a name, and a version, range or tag). file:, git:, URLs and aliases are refused.`, { type: parsed.type });
  }
  if (!parsed.name || parsed.name !== name) {
    throw new PackageRefused('INVALID_ARGS', `Give the package's name in name and its version or range in version (got '${name}').`);
  }
  return { name: parsed.name, want: parsed.fetchSpec ?? 'latest' };
}

/**
 * Checks a dependency a registry package declares is one pacote resolves from the registry. Its name must be a
 * package name (npm's rules: nothing that reads as a path), its range a version, range or tag, or an alias to
 * one. A dependency on a file, folder, git repository or URL is refused: fetching it would read this machine's
 * disk, clone (and for git, build with scripts) or fetch from wherever the package says.
 */
export function checkDependency(parent: string, name: string, range: string): void {
  let p: npa.Result;
  try {
    p = npa.resolve(name, range);
  } catch {
    throw new PackageRefused('INVALID_ARGS', `${parent} declares a dependency that is not a valid npm package spec. Choose another package.`, { package: parent });
  }
  const aliased = (p as npa.AliasResult).subSpec;
  if (!fromRegistry(p) && !(p.type === 'alias' && aliased !== undefined && fromRegistry(aliased))) {
    throw new PackageRefused('INVALID_ARGS', `${parent} depends on ${p.name ?? 'a package'} through a ${p.type} spec; only dependencies from the registry (a version, range or tag) can be installed. Choose another package.`, { package: parent, dependency: p.name ?? null, type: p.type });
  }
}

/**
 * What guest code's import names, if it names a package: `lodash-es`, `lodash-es@4.17.21`, `@scope/pkg@^1`.
 * Null for anything else (subpaths, relative paths): those are not packages.
 */
export function parseImport(specifier: string): PackageSpec | null {
  if (specifier.length > MAX_SPEC_CHARS || specifier.startsWith('.') || specifier.includes(':')) return null;
  const scoped = specifier.startsWith('@');
  const slash = specifier.indexOf('/', scoped ? specifier.indexOf('/') + 1 : 0);
  if (slash !== -1) return null;
  try {
    const p = npa(specifier);
    if (!p.name || !fromRegistry(p)) return null;
    // A bare name means "what is installed": the newest version there is.
    return { name: p.name, want: p.rawSpec === '' || p.rawSpec === '*' ? '*' : (p.fetchSpec ?? '*') };
  } catch {
    return null;
  }
}
