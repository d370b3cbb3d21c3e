import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../kernel/config.ts';
import { OPERATOR } from '../kernel/door.ts';
import type { Kernel, InvokeResult } from '../kernel/kernel.ts';
import { defaultBridgesFolder, definitionsFromServers, layerDefinitions, loadDefinitions, parseDefinition, type BridgeDefinition } from './definition.ts';
import { BridgeManager, type BridgeEvent } from './manager.ts';

type Submit = (caller: string, target: string, method: string, args: unknown) => Promise<InvokeResult>;

/** Where a definition came from, as `ecology bridge list` shows it. */
export const WORLD_SOURCE = 'this world (ecology bridge add)';
const REMOVED = 'removed from this world by the operator (ecology bridge add brings it back)';

/**
 * The world's side of its bridges: which definitions are in force (the package's bridges/, the config file's
 * `bridges.mcpServers`, and those the operator added to this world, minus those removed), the manager that
 * runs them, their artifacts kept in step with the upstreams' tool lists, and the operator's changes
 * (`bridge_config` events, from any process) followed while serving.
 */
export class WorldBridges {
  readonly manager: BridgeManager;
  private follower: NodeJS.Timeout | null = null;
  private cursor = 0;
  private closed = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly config: Config,
    dbPath: string,
    private readonly submit: Submit,
  ) {
    const b = config.bridges;
    // A throw-away world's folders are throw-away too (made on first use, removed at close).
    const filesRoot = b.files_dir ?? (dbPath === ':memory:' ? join(tmpdir(), `ecology-files-${randomBytes(6).toString('hex')}`) : `${dbPath}.files`);
    this.manager = new BridgeManager(this.definitions(), { filesRoot, maxInstances: b.max_processes, startTimeoutMs: b.start_timeout_ms, onEvent: (e) => this.lifecycle(e) });
    this.throwAwayRoot = dbPath === ':memory:' && b.files_dir === undefined;
  }

  private readonly throwAwayRoot: boolean;

  /** The definitions in force now; a bad one in the folder or the config is an error naming it. */
  definitions(): BridgeDefinition[] {
    const b = this.config.bridges;
    const rows = this.kernel.services.store.all<{ name: string; definition: string | null }>('SELECT name, definition FROM bridge_definitions ORDER BY name');
    const own = rows.filter((r) => r.definition !== null).map((r) => parseDefinition(JSON.parse(r.definition!), WORLD_SOURCE));
    const removed = new Set(rows.filter((r) => r.definition === null).map((r) => r.name));
    return layerDefinitions([loadDefinitions(b.folder ?? defaultBridgesFolder()), definitionsFromServers(b.mcpServers, b.settings, 'the config (bridges.mcpServers)'), own], removed);
  }

  /** Servers this world has removed (their artifacts stay, off). */
  removed(): string[] {
    return this.kernel.services.store.all<{ name: string }>('SELECT name FROM bridge_definitions WHERE definition IS NULL ORDER BY name').map((r) => r.name);
  }

  /**
   * Creates or refreshes the artifact of every bridge (mcp_<server>) from its upstream's tool list, starting
   * each upstream to read it (it stops again when idle), and keeps them fresh on list_changed. A bridge that
   * is off is registered too, saying why, so agents see what exists. Returns what failed, by bridge.
   * `onlyMissing`: leave registered bridges as they are (a stdio process need not start every upstream).
   */
  async registerAll(opts: { onlyMissing?: boolean; only?: readonly string[] } = {}): Promise<Record<string, string>> {
    this.manager.onTools = (def, tools) => void this.register(def, tools);
    const failed: Record<string, string> = {};
    for (const def of this.manager.definitions()) {
      // A world closing while bridges start (a quick SIGTERM) stops registering: nothing is left half done.
      if (this.closed) break;
      if (opts.only && !opts.only.includes(def.artifactId)) continue;
      if (opts.onlyMissing && this.kernel.services.artifacts.meta(def.artifactId)) continue;
      const why = await this.registerOne(def);
      if (why !== null) failed[def.artifactId] = why;
    }
    return failed;
  }

  /** Registers one bridge from its upstream's tool list (or off, saying why); the failure, if any. */
  private async registerOne(def: BridgeDefinition): Promise<string | null> {
    try {
      const res = def.disabled ? await this.register(def, [], def.disabled) : await this.register(def, await this.manager.tools(def.artifactId));
      return res.ok ? null : res.error.message;
    } catch (err) {
      if (this.closed) return null;
      await this.register(def, [], `its upstream did not start: ${(err as Error).message}`.slice(0, 500)).catch(() => undefined);
      return (err as Error).message;
    }
  }

  private register(def: BridgeDefinition, tools: { name: string; description?: string; inputSchema?: Record<string, unknown> }[], off: string | null = null): Promise<InvokeResult> {
    const s = def.settings;
    return this.submit(OPERATOR, 'genesis_bridges', 'register', {
      id: def.artifactId,
      description: s.description,
      tools: tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.inputSchema ? { inputSchema: t.inputSchema } : {}) })),
      fee: s.fee,
      tool_fees: s.tool_fees,
      off,
    });
  }

  /**
   * Reads the definitions again (the operator added, changed or removed one) and brings the changed bridges'
   * artifacts in step: re-registered from their new upstream, or left off if removed. Returns what failed.
   */
  async reload(): Promise<Record<string, string>> {
    const before = new Map(this.manager.definitions().map((d) => [d.artifactId, d]));
    const changed = new Set(this.manager.setDefinitions(this.definitions()));
    // A definition this process read before its artifact was ever registered (a CLI's first look) is news too.
    for (const d of this.manager.definitions()) if (!this.kernel.services.artifacts.meta(d.artifactId)) changed.add(d.artifactId);
    const failed: Record<string, string> = {};
    for (const id of changed) {
      const def = this.manager.get(id);
      if (def) {
        const why = await this.registerOne(def);
        if (why !== null) failed[id] = why;
      } else {
        const old = before.get(id);
        if (old && this.kernel.services.artifacts.meta(id)) await this.register(old, [], REMOVED);
      }
    }
    return failed;
  }

  /** Stops a bridge's upstreams here and registers it afresh from a newly started one. */
  async restart(artifactId: string): Promise<Record<string, string>> {
    this.manager.restart(artifactId);
    const def = this.manager.get(artifactId);
    const why = def ? await this.registerOne(def) : null;
    return why === null ? {} : { [artifactId]: why };
  }

  /**
   * While serving: stops idle upstreams, and follows the operator's bridge changes made by any process on
   * this world file (`ecology bridge add|remove|restart` writes a bridge_config event; this reads it).
   */
  follow(everyMs = 1_000): void {
    this.manager.start();
    if (this.follower) return;
    this.cursor = this.kernel.services.events.latestSeq();
    this.follower = setInterval(() => void this.poll().catch(() => undefined), everyMs).unref();
  }

  /** Applies the bridge_config events since the last look; returns how many there were. */
  async poll(): Promise<number> {
    const page = this.kernel.services.events.read({ types: ['bridge_config'], after: this.cursor, limit: 100, scan: this.config.limits.max_event_scan });
    this.cursor = page.next_cursor;
    if (page.events.length === 0) return 0;
    const restarts = new Set<string>();
    let reload = false;
    for (const e of page.events) {
      const p = e.payload as { action?: string };
      if (p.action === 'restart' && e.artifact) restarts.add(e.artifact);
      else reload = true;
    }
    if (reload) await this.reload();
    for (const id of restarts) await this.restart(id);
    return page.events.length;
  }

  /** An upstream started, stopped or crashed: a bridge_lifecycle event in the world's log, for the operator. */
  private lifecycle(e: BridgeEvent): void {
    if (this.closed) return;
    // The event log is readable by agents: a per-principal instance is not named (who used which bridge is theirs).
    const { type, instance, ...rest } = e;
    void this.submit(OPERATOR, 'genesis_bridges', 'lifecycle', { ...rest, instance: instance === '' ? 'shared' : 'per-principal', event: type.replace('bridge_', '') }).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.follower) clearInterval(this.follower);
    await this.manager.close();
    if (this.throwAwayRoot) rmSync(this.manager.principalDir('.'), { recursive: true, force: true });
  }
}
