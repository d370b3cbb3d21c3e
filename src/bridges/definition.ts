import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';

/**
 * Upstream MCP server definitions: one JSON file per server in `bridges/`, in the Claude Desktop
 * `mcpServers` format, with what the world adds beside it under `ecology`. Values may name
 * `${package:NAME}` (an installed npm package's folder), `${env:VAR}` (a secret: the definition is off
 * until VAR is set, and no other variable of the world's environment reaches the upstream) and
 * `${principal_dir}` (the calling principal's own folder: one upstream per principal).
 */
export const SERVER_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

const Stdio = z
  .object({
    command: z.string().min(1).max(1_000),
    args: z.array(z.string().max(4_000)).max(64).default([]),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(4_000)).default({}),
  })
  .strict();
const Http = z
  .object({
    url: z.string().max(2_000),
    headers: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.string().max(4_000)).default({}),
  })
  .strict();

export const EcologySchema = z
  .object({
    description: z.string().min(1).max(1_000),
    /** 'shared': one upstream for every caller; 'principal': one per calling principal (its own folder, graph, state). */
    isolation: z.enum(['shared', 'principal']).default('shared'),
    /** Scrip per call, and per tool where it differs (decided: fees are burned, like genesis prices). */
    fee: z.int().min(0).max(1_000_000).default(0),
    tool_fees: z.record(z.string().max(128), z.int().min(0).max(1_000_000)).default({}),
    /** Longest a call may take, and per tool where it differs. */
    timeout_ms: z.int().min(100).max(600_000).default(30_000),
    tool_timeouts_ms: z.record(z.string().max(128), z.int().min(100).max(600_000)).default({}),
    /** An upstream unused this long is stopped (started again on the next call). */
    idle_ms: z.int().min(1_000).max(86_400_000).default(300_000),
    /** Bytes of one result kept (larger ones are refused). */
    max_result_bytes: z.int().min(1_024).max(50 * 1024 * 1024).default(256 * 1024),
    /**
     * Bytes a principal's folder may hold (isolation 'principal'), counted in 4 KB disk blocks per file or
     * folder: a call whose arguments could take it past this is refused before the upstream is called.
     */
    max_folder_bytes: z.int().min(0).max(1024 * 1024 * 1024).default(16 * 1024 * 1024),
    /** A check the world runs on arguments before calling: 'ssrf' refuses private and metadata addresses; 'paths' confines paths to the caller's folder. */
    guard: z.enum(['none', 'ssrf', 'paths']).default('none'),
    enabled: z.boolean().default(true),
  })
  .strict();

export const DefinitionFileSchema = z
  .object({
    mcpServers: z
      .record(z.string(), z.union([Stdio, Http], { error: 'a server has command/args/env (stdio) or url/headers (Streamable HTTP), and nothing else' }))
      .refine((s) => Object.keys(s).length === 1, { message: 'a bridge file defines exactly one server' })
      .refine((s) => Object.keys(s).every((k) => SERVER_NAME.test(k)), { message: 'a server name is 1-32 characters of a-z, 0-9 and -' }),
    /** Optional for servers an operator adds (a pasted Claude Desktop entry): then free, shared, described by name. */
    ecology: EcologySchema.optional(),
  })
  .strict();

export type DefinitionFile = z.input<typeof DefinitionFileSchema>;

export type Transport = { kind: 'stdio'; command: string; args: string[]; env: Record<string, string> } | { kind: 'http'; url: string; headers: Record<string, string> };

export interface BridgeDefinition {
  /** The server's name, as in mcpServers. */
  name: string;
  /** Its artifact: `mcp_<name>` with '-' as '_'. */
  artifactId: string;
  source: string;
  /** With `${package:…}` and `${env:…}` resolved; `${principal_dir}` is left for each principal's instance. */
  transport: Transport;
  settings: z.infer<typeof EcologySchema>;
  /** Why it is off, if it is (a missing variable, a missing package, disabled). */
  disabled: string | null;
}

export const bridgeArtifactId = (name: string): string => `mcp_${name.replaceAll('-', '_')}`;

/** The folder holding an installed package, found the way Node would from this file; null if not installed. */
function packageDir(name: string, from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

const PLACEHOLDER = /\$\{(package|env|guard):([^}]+)\}|\$\{principal_dir\}/g;
/** Modules of the world's own that a definition may load into its upstream (`node --import ${guard:NAME}`). */
const GUARDS: Record<string, string> = { fetch: new URL('./fetch-guard-boot.mjs', import.meta.url).pathname };

/** Resolves one value's placeholders; records what is missing. */
function resolveValue(value: string, env: NodeJS.ProcessEnv, from: string, missing: string[], isolation: string): string {
  return value.replace(PLACEHOLDER, (whole, kind: string | undefined, name: string | undefined) => {
    if (whole === '${principal_dir}') {
      if (isolation !== 'principal') missing.push("${principal_dir} needs isolation 'principal'");
      return whole;
    }
    if (kind === 'guard') {
      const path = GUARDS[name!];
      if (path === undefined) missing.push(`there is no guard '${name}'`);
      return path ?? whole;
    }
    if (kind === 'package') {
      const dir = packageDir(name!, from);
      if (dir === null) missing.push(`the npm package ${name} is not installed`);
      return dir ?? whole;
    }
    const v = env[name!];
    if (v === undefined || v === '') missing.push(`${name} is not set`);
    return v ?? '';
  });
}

/** Parses and resolves one definition file's JSON; throws an Error naming the file and the problem. */
export function parseDefinition(json: unknown, source: string, env: NodeJS.ProcessEnv = process.env, from = dirname(new URL(import.meta.url).pathname)): BridgeDefinition {
  const r = DefinitionFileSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid bridge definition ${source}: ${issues.join('; ')}. See bridges/README in the project's README (Bridges).`);
  }
  const [name, server] = Object.entries(r.data.mcpServers)[0]!;
  const settings = r.data.ecology ?? EcologySchema.parse({ description: `The upstream MCP server '${name}', added by the operator.` });
  const missing: string[] = [];
  const res = (v: string) => resolveValue(v, env, from, missing, settings.isolation);
  let transport: Transport;
  if ('command' in server) {
    transport = { kind: 'stdio', command: res(server.command), args: server.args.map(res), env: Object.fromEntries(Object.entries(server.env).map(([k, v]) => [k, res(v)])) };
  } else {
    const url = res(server.url);
    if (!/^https?:\/\//.test(url)) throw new Error(`Invalid bridge definition ${source}: url must be http:// or https://.`);
    transport = { kind: 'http', url, headers: Object.fromEntries(Object.entries(server.headers).map(([k, v]) => [k, res(v)])) };
  }
  const structural = missing.filter((m) => m.includes('principal_dir'));
  if (structural.length) throw new Error(`Invalid bridge definition ${source}: ${structural.join('; ')}.`);
  const disabled = !settings.enabled ? 'disabled in its definition' : missing.length ? missing.join('; ') : null;
  return { name, artifactId: bridgeArtifactId(name), source, transport, settings, disabled };
}

/** Every definition in a folder (`*.json`), sorted by name; a bad file is an error naming it, never skipped. */
export function loadDefinitions(folder: string, env: NodeJS.ProcessEnv = process.env): BridgeDefinition[] {
  if (!existsSync(folder)) return [];
  const defs = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const path = join(folder, f);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new Error(`Invalid bridge definition ${path}: not JSON (${(err as Error).message}).`);
      }
      return parseDefinition(json, path, env);
    });
  const seen = new Map<string, string>();
  for (const d of defs) {
    const other = seen.get(d.artifactId);
    if (other) throw new Error(`Bridge definitions ${other} and ${d.source} both define ${d.artifactId}.`);
    seen.set(d.artifactId, d.source);
  }
  return defs;
}

/**
 * The definitions in force, from layers in order (the package's folder, the config file's, the world's own
 * from `ecology bridge add`): a later layer's definition of a server replaces an earlier one's, and servers
 * the operator removed from this world are left out.
 */
export function layerDefinitions(layers: readonly (readonly BridgeDefinition[])[], removed: ReadonlySet<string> = new Set()): BridgeDefinition[] {
  const byName = new Map<string, BridgeDefinition>();
  for (const layer of layers) for (const d of layer) byName.set(d.artifactId, d);
  return [...byName.values()].filter((d) => !removed.has(d.name)).sort((a, b) => a.name.localeCompare(b.name));
}

/** Definitions given as a Claude Desktop `mcpServers` block, with the world's settings by server name beside it. */
export function definitionsFromServers(servers: Record<string, unknown>, settings: Record<string, unknown>, source: string, env: NodeJS.ProcessEnv = process.env): BridgeDefinition[] {
  const unknownSettings = Object.keys(settings).filter((n) => !(n in servers));
  if (unknownSettings.length) throw new Error(`Invalid bridge settings in ${source}: ${unknownSettings.join(', ')} name no server in mcpServers.`);
  return Object.entries(servers).map(([name, server]) =>
    parseDefinition({ mcpServers: { [name]: server }, ...(settings[name] === undefined ? {} : { ecology: settings[name] }) }, `${source} (${name})`, env),
  );
}

/** The package's own bridges/ folder, found by walking up from this file (src/bridges or dist/src/bridges). */
export function defaultBridgesFolder(): string {
  let dir = dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bridges'))) return join(dir, 'bridges');
    dir = dirname(dir);
  }
  return join(dirname(new URL(import.meta.url).pathname), 'bridges');
}
