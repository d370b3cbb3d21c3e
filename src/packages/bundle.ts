import { readFile, realpath } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { init as initLexer, parse as parseCjs } from 'cjs-module-lexer';
import * as esbuild from 'esbuild';
import { PackageRefused } from './spec.ts';
import type { ResolvedPackage } from './fetch.ts';

/** The sandbox's language level (QuickJS 2024+). */
const TARGET = 'es2023';

/** Pure-JS packages that do what a Node built-in does, where the choice is obvious. */
const ALTERNATIVES: Record<string, string> = {
  path: 'pathe',
  events: 'eventemitter3',
  buffer: 'Uint8Array with @scure/base',
  crypto: '@noble/hashes or @noble/ciphers',
  util: 'the function itself from a small package',
  url: 'whatwg-url',
  querystring: 'qs',
  assert: 'tiny-invariant',
  stream: 'none: the sandbox has no streams',
};

export interface Bundle {
  code: string;
}

/**
 * Bundles an installed package and its dependencies into one ES module for QuickJS: tree-shaken, at the
 * sandbox's language level, nothing left to import. A package importing a Node built-in is refused, naming the package that pulled it in and a pure-JS alternative where one is obvious.
 */
export async function bundlePackage(tree: readonly ResolvedPackage[], o: { minify: boolean; maxBytes: number }): Promise<Bundle> {
  const root = tree[0]!;
  // esbuild names files relative to its working folder: the tree's root (as the file system names it, links resolved).
  const top = await realpath(dirname(root.dir));
  const ownerOf = (rel: string) => {
    const file = join(top, rel);
    const dirOf = (p: ResolvedPackage) => join(top, relative(dirname(root.dir), p.dir));
    return tree.find((p) => !relative(dirOf(p), file).startsWith('..') && !relative(dirOf(p), file).split(sep).includes('node_modules')) ?? root;
  };
  const entry = (withDefault: boolean) => `export * from ${JSON.stringify(root.name)};${withDefault ? ` export { default } from ${JSON.stringify(root.name)};` : ''}`;
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await build(entry(true), top, o.minify);
  } catch (err) {
    if (!isNoDefault(err)) throw refusal(err, root, ownerOf);
    try {
      result = await build(entry(false), top, o.minify);
    } catch (again) {
      throw refusal(again, root, ownerOf);
    }
  }
  // A CommonJS package has no static exports: name them as Node does (its own lexer), so `import { f }` works
  // wherever it would in Node, beside the default import of module.exports.
  const main = cjsEntry(result.metafile, top);
  if (main !== null) {
    const names = await cjsNames(main, top);
    if (names.length > 0) {
      try {
        result = await build(`import m from ${JSON.stringify(root.name)}; export default m; export const { ${names.join(', ')} } = m;`, top, o.minify);
      } catch (err) {
        throw refusal(err, root, ownerOf);
      }
    }
  }
  const code = result.outputFiles[0]!.text;
  const bytes = Buffer.byteLength(code);
  if (bytes > o.maxBytes) throw new PackageRefused('QUOTA_EXCEEDED', `${root.name}@${root.version} bundles to ${bytes} bytes, more than the ${o.maxBytes} a library may hold. Choose a smaller package.`, { bytes, limit: o.maxBytes });
  return { code };
}

/** The root package's entry file if it is CommonJS (as esbuild read it), else null. */
function cjsEntry(meta: esbuild.Metafile, top: string): string | null {
  const stdin = Object.entries(meta.inputs).find(([k]) => k === '<stdin>' || k.endsWith('entry.js'))?.[1];
  const first = stdin?.imports[0]?.path;
  if (!first || meta.inputs[first]?.format !== 'cjs') return null;
  return join(top, first);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(['default', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'let', 'new', 'null', 'return', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'arguments', 'eval']);
const MAX_NAMES = 2_000;

/** The names a CommonJS module exports, as Node's cjs-module-lexer finds them (following re-exports a few deep). */
async function cjsNames(file: string, top: string, depth = 0, seen = new Set<string>()): Promise<string[]> {
  if (depth > 4 || seen.has(file)) return [];
  seen.add(file);
  await initLexer();
  let found: { exports: string[]; reexports: string[] };
  try {
    found = parseCjs(await readFile(file, 'utf8'));
  } catch {
    return [];
  }
  const names = new Set(found.exports.filter((n) => IDENTIFIER.test(n) && !RESERVED.has(n)));
  for (const spec of found.reexports) {
    let next: string;
    try {
      next = createRequire(file).resolve(spec);
    } catch {
      continue;
    }
    // Only the tree's own files are read (a re-export of /etc/passwd is no export).
    if (!isAbsolute(next) || relative(top, await realpath(next).catch(() => next)).startsWith('..')) continue;
    for (const n of await cjsNames(next, top, depth + 1, seen)) names.add(n);
    if (names.size > MAX_NAMES) break;
  }
  return [...names].slice(0, MAX_NAMES);
}

/**
 * Refuses to load any file outside the tree (an absolute or `../` import, a `main`, `exports` or `imports` entry
 * pointing out, a bare import found in a node_modules above it): esbuild would otherwise read this machine's files
 * into the bundle (a .json or .txt as data) or quote them in its errors. Nothing outside is read.
 */
const confined = (folder: string): esbuild.Plugin => ({
  name: 'confine',
  setup(b) {
    b.onLoad({ filter: /.*/ }, (args) => {
      const rel = relative(folder, args.path);
      if (args.namespace === 'file' && (rel.startsWith('..') || isAbsolute(rel))) {
        return { errors: [{ text: 'it imports a file outside its package and dependencies; only their own files can be bundled' }] };
      }
      return undefined;
    });
  },
});

function build(contents: string, top: string, minify: boolean) {
  return esbuild.build({
    stdin: { contents, resolveDir: top, loader: 'js', sourcefile: 'entry.js' },
    absWorkingDir: top,
    nodePaths: [],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    target: TARGET,
    mainFields: ['module', 'main'],
    conditions: ['import', 'module', 'default'],
    treeShaking: true,
    minify,
    legalComments: 'none',
    logLevel: 'silent',
    // Node's globals are absent in the sandbox: code that checks for them (typeof process) sees none, code that
    // uses them unchecked fails when it runs, as it would in a browser. Only these two are given their usual meaning.
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    // No tsconfig.json is read (a package's could `extends` any file on this machine, quoted in the error).
    tsconfigRaw: {},
    // The one plugin only refuses: esbuild reads nothing outside the tree; the packages' code only ever runs in the sandbox.
    plugins: [confined(top)],
  });
}

const isNoDefault = (err: unknown) => (err as esbuild.BuildFailure).errors?.some((e) => /No matching export .* for import "default"/.test(e.text)) ?? false;

/** An esbuild failure as a refusal that says which package needed what. */
function refusal(err: unknown, root: ResolvedPackage, ownerOf: (file: string) => ResolvedPackage): PackageRefused {
  const errors = (err as esbuild.BuildFailure).errors ?? [];
  const missing = errors.map((e) => ({ e, m: /Could not resolve "([^"]+)"/.exec(e.text) })).find((x) => x.m);
  if (missing) {
    const mod = missing.m![1]!.replace(/^node:/, '');
    const who = missing.e.location?.file ? ownerOf(missing.e.location.file) : root;
    const builtin = isBuiltin(mod);
    const alt = ALTERNATIVES[mod.split('/')[0]!];
    return new PackageRefused(
      'INVALID_ARGS',
      builtin
        ? `${root.name}@${root.version} needs the Node built-in '${mod}'${who === root ? '' : ` (imported by its dependency ${who.name}@${who.version})`}; the sandbox has no Node built-ins.${alt ? ` A pure-JS alternative: ${alt}.` : ' Choose a package written for browsers or plain JavaScript.'}`
        : `${root.name}@${root.version} imports '${mod}'${who === root ? '' : ` (from ${who.name}@${who.version})`}, which is not among its dependencies. The package is broken or expects something installed beside it.`,
      { package: who.name, module: mod },
    );
  }
  const first = errors[0];
  return new PackageRefused('INVALID_ARGS', `${root.name}@${root.version} could not be bundled for the sandbox: ${first ? first.text : (err as Error).message}`.slice(0, 600), { package: root.name });
}

const isBuiltin = (m: string) => builtinModules.includes(m) || builtinModules.includes(m.split('/')[0]!);
