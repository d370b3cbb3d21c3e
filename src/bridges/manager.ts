import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Tool } from '@modelcontextprotocol/client';
import type { BridgeDefinition } from './definition.ts';
import { fitTools } from './tools.ts';
import { processTreeCpuMs } from './cpu.ts';
import { Upstream, forPrincipal, type UpstreamCall } from './upstream.ts';

/** A bridge that cannot be called now: off, or restarting after a crash (then retry after `retryAfterMs`). */
export class BridgeUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

export type BridgeEvent =
  | { type: 'bridge_started'; server: string; instance: string; ms: number }
  | { type: 'bridge_stopped'; server: string; instance: string; reason: string }
  | { type: 'bridge_crashed'; server: string; instance: string; reason: string; retry_in_ms: number };

export interface ManagerOptions {
  /** Where principals' folders are made (`<root>/<principal>`), for bridges isolated per principal. */
  filesRoot: string;
  /** Upstream processes running at once, all bridges together; the idlest is stopped to make room. */
  maxInstances: number;
  startTimeoutMs: number;
  onEvent?: (e: BridgeEvent) => void;
}

/** Principal ids become folder names: only these, so no id can climb out of the files root. */
const SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PROBE = '.world';
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;

/** Whether a call failed by running out of time (the SDK's request timeout). */
export const timedOut = (err: unknown): boolean => /timed? ?out/i.test(String((err as Error)?.message ?? err));

const keyOf = (def: BridgeDefinition, who: string): string => `${def.artifactId}\u0000${who}`;

interface Instance {
  upstream: Upstream;
  ready: Promise<void>;
  who: string;
  /** CPU its start took, not yet charged: the first call to a principal's own instance pays it. */
  startCpuMs: number;
  /** Taken out of use (a call to it timed out): closed once its calls in flight end. */
  retired: boolean;
}

/**
 * The world's upstream MCP servers: started on first use, stopped when idle, restarted with backoff after
 * a crash (callers meanwhile get BridgeUnavailable with a retry time). A bridge isolated per principal
 * runs one upstream per calling principal, rooted in that principal's own folder.
 */
export class BridgeManager {
  private byArtifact: Map<string, BridgeDefinition>;
  private readonly instances = new Map<string, Instance>();
  private readonly failures = new Map<string, { count: number; retryAt: number }>();
  private readonly toolLists = new Map<string, Tool[]>();
  private sweeper: NodeJS.Timeout | null = null;
  /** Called when a bridge's tool list is first read or changes upstream. */
  onTools: ((def: BridgeDefinition, tools: Tool[]) => void) | null = null;

  private readonly opts: ManagerOptions;

  constructor(defs: readonly BridgeDefinition[], opts: ManagerOptions) {
    this.byArtifact = new Map(defs.map((d) => [d.artifactId, d]));
    // Absolute, always: an upstream runs in its principal's folder, where a relative path would mean another place.
    this.opts = { ...opts, filesRoot: resolve(opts.filesRoot) };
  }

  definitions(): BridgeDefinition[] {
    return [...this.byArtifact.values()];
  }

  get(artifactId: string): BridgeDefinition | undefined {
    return this.byArtifact.get(artifactId);
  }

  /**
   * Replaces the definitions (the operator added, changed or removed one): upstreams of a changed or removed
   * bridge are stopped, to start again under the new definition on their next call. Returns the artifacts of
   * the bridges that changed, were added or removed.
   */
  setDefinitions(defs: readonly BridgeDefinition[]): string[] {
    const next = new Map(defs.map((d) => [d.artifactId, d]));
    const same = (a: BridgeDefinition, b: BridgeDefinition) => JSON.stringify([a.transport, a.settings, a.disabled]) === JSON.stringify([b.transport, b.settings, b.disabled]);
    const changed = [...new Set([...this.byArtifact.keys(), ...next.keys()])].filter((id) => {
      const a = this.byArtifact.get(id);
      const b = next.get(id);
      return !a || !b || !same(a, b);
    });
    this.byArtifact = next;
    for (const id of changed) this.restart(id, 'its definition changed');
    return changed;
  }

  /** Stops every upstream of a bridge (each starts again on its next call) and forgets its tool list and crashes. */
  restart(artifactId: string, reason = 'restarted by the operator'): void {
    for (const key of [...this.instances.keys()]) if (key.startsWith(`${artifactId}\u0000`)) void this.stop(key, reason);
    for (const key of [...this.failures.keys()]) if (key.startsWith(`${artifactId}\u0000`)) this.failures.delete(key);
    this.toolLists.delete(artifactId);
  }

  /** The bridge's tools as its upstream lists them, as far as the world keeps them (fitTools), starting it if need be. */
  async tools(artifactId: string): Promise<Tool[]> {
    const def = this.require(artifactId);
    const known = this.toolLists.get(artifactId);
    if (known) return known;
    // A shared bridge lists its tools from the instance callers use; an isolated one from the world's own,
    // whose folder name no principal id can take (ids never start with a dot).
    if (def.settings.isolation !== 'principal') await this.instance(def, '', null);
    else {
      const dir = join(this.opts.filesRoot, PROBE);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      await this.instance(def, PROBE, dir);
    }
    return this.toolLists.get(artifactId) ?? [];
  }

  /**
   * Calls one tool as `principal` (whose own instance it is, for a bridge isolated per principal). A call to a
   * principal's own instance that had to start it is charged the start's CPU too (so cycling through many
   * callers' instances is never free); a shared instance's start is the world's. A call that times out retires
   * its instance: the upstream may go on with work it was told to drop, so it is closed once its other calls
   * end, and the next call starts a fresh one.
   */
  async call(artifactId: string, principal: string, tool: string, args: Record<string, unknown>, timeoutMs: number): Promise<UpstreamCall> {
    const def = this.require(artifactId);
    const isolated = def.settings.isolation === 'principal';
    const who = isolated ? principal : '';
    const inst = await this.instance(def, who, isolated ? this.ensurePrincipalDir(principal) : null);
    const startCpuMs = isolated ? inst.startCpuMs : 0;
    inst.startCpuMs -= startCpuMs;
    try {
      const r = await inst.upstream.call(tool, args, timeoutMs);
      return startCpuMs > 0 ? { ...r, cpuMs: r.cpuMs + startCpuMs } : r;
    } catch (err) {
      inst.startCpuMs += startCpuMs;
      if (timedOut(err)) this.retire(keyOf(def, who), inst);
      throw err;
    } finally {
      this.closeIfRetired(inst);
    }
  }

  /** The folder of a principal for bridges isolated per principal (made on first use). */
  principalDir(principal: string): string {
    return join(this.opts.filesRoot, principal);
  }

  /** The principal's folder, made if it is not there yet; BridgeUnavailable for an id unfit for a folder name. */
  ensurePrincipalDir(principal: string): string {
    if (!SAFE_ID.test(principal) || principal === '.' || principal === '..') throw new BridgeUnavailable(`'${principal}' cannot have a folder of its own`, null);
    const dir = this.principalDir(principal);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Stops upstreams idle for longer than their definition allows (every `everyMs`, unref'd). */
  start(everyMs = 5_000): this {
    this.sweeper ??= setInterval(() => this.sweep(), everyMs).unref();
    return this;
  }

  sweep(now = Date.now()): void {
    for (const [key, inst] of this.instances) {
      if (!inst.upstream.busy && now - inst.upstream.lastUsed > inst.upstream.def.settings.idle_ms) void this.stop(key, 'idle');
    }
  }

  /** What runs now, for `ecology bridge list` and tests. */
  running(): { server: string; instance: string; pid: number | null; busy: boolean }[] {
    return [...this.instances.entries()].map(([key, i]) => ({ server: i.upstream.def.name, instance: key.split('\u0000')[1] ?? '', pid: i.upstream.pid, busy: i.upstream.busy }));
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([...this.instances.keys()].map((k) => this.stop(k, 'closing')));
  }

  private require(artifactId: string): BridgeDefinition {
    const def = this.byArtifact.get(artifactId);
    if (!def) throw new BridgeUnavailable(`no bridge ${artifactId}`, null);
    if (def.disabled) throw new BridgeUnavailable(`${artifactId} is off: ${def.disabled}`, null);
    return def;
  }

  private async instance(def: BridgeDefinition, who: string, dir: string | null): Promise<Instance> {
    const key = keyOf(def, who);
    const failed = this.failures.get(key);
    if (failed && failed.retryAt > Date.now()) throw new BridgeUnavailable(`${def.artifactId} crashed and is restarting`, failed.retryAt - Date.now());
    let inst = this.instances.get(key);
    if (!inst) {
      this.makeRoom();
      const upstream = new Upstream(def, forPrincipal(def.transport, dir), dir ?? undefined);
      upstream.onToolsChanged = (listed) => {
        const tools = fitTools(listed);
        // Every start lists the tools again: only a list that differs is news (a restart is not).
        const before = this.toolLists.get(def.artifactId);
        this.toolLists.set(def.artifactId, tools);
        if (before !== undefined && JSON.stringify(before) !== JSON.stringify(tools)) this.onTools?.(def, tools);
      };
      upstream.onClosed = (reason) => this.crashed(key, def, reason, upstream);
      const started = performance.now();
      const ready = upstream.start(this.opts.startTimeoutMs).then(
        () => {
          this.failures.delete(key);
          created.startCpuMs = upstream.pid === null ? 0 : (processTreeCpuMs(upstream.pid) ?? 0);
          this.opts.onEvent?.({ type: 'bridge_started', server: def.name, instance: who, ms: Math.round(performance.now() - started) });
        },
        (err: unknown) => {
          this.crashed(key, def, `it failed to start: ${(err as Error).message}`, upstream);
          throw new BridgeUnavailable(`${def.artifactId} failed to start: ${(err as Error).message}`, this.failures.get(key)?.retryAt ? this.failures.get(key)!.retryAt - Date.now() : null);
        },
      );
      const created: Instance = { upstream, ready, who, startCpuMs: 0, retired: false };
      inst = created;
      this.instances.set(key, inst);
    }
    await inst.ready;
    return inst;
  }

  private crashed(key: string, def: BridgeDefinition, reason: string, upstream: Upstream): void {
    const inst = this.instances.get(key);
    // A retired instance's successor may hold the key by now: only the instance that crashed is taken down.
    if (!inst || inst.upstream !== upstream) return;
    this.instances.delete(key);
    void inst.upstream.close();
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (count - 1));
    this.failures.set(key, { count, retryAt: Date.now() + wait });
    this.opts.onEvent?.({ type: 'bridge_crashed', server: def.name, instance: key.split('\u0000')[1] ?? '', reason, retry_in_ms: wait });
  }

  private async stop(key: string, reason: string): Promise<void> {
    const inst = this.instances.get(key);
    if (!inst) return;
    this.instances.delete(key);
    await inst.upstream.close();
    this.opts.onEvent?.({ type: 'bridge_stopped', server: inst.upstream.def.name, instance: key.split('\u0000')[1] ?? '', reason });
  }

  /** Takes an instance out of use (new calls start a fresh one) and closes it once its calls in flight end. */
  private retire(key: string, inst: Instance): void {
    if (this.instances.get(key) === inst) this.instances.delete(key);
    inst.retired = true;
  }

  private closeIfRetired(inst: Instance): void {
    if (!inst.retired || inst.upstream.busy) return;
    inst.retired = false;
    void inst.upstream.close().then(() => this.opts.onEvent?.({ type: 'bridge_stopped', server: inst.upstream.def.name, instance: inst.who, reason: 'a call to it timed out' }));
  }

  /** At the cap, stops the idlest instance not in use; if every one is busy, refuses. */
  private makeRoom(): void {
    if (this.instances.size < this.opts.maxInstances) return;
    const idle = [...this.instances.entries()].filter(([, i]) => !i.upstream.busy).sort((a, b) => a[1].upstream.lastUsed - b[1].upstream.lastUsed)[0];
    if (!idle) throw new BridgeUnavailable(`all ${this.opts.maxInstances} upstream processes are busy`, 1_000);
    // Out of the table at once (so a concurrent start counts right); its process ends in the background.
    void this.stop(idle[0], 'making room');
  }
}
