import { Client, StreamableHTTPClientTransport, type CallToolResult, type Tool } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { BridgeDefinition, Transport } from './definition.ts';
import { CpuMeter } from './cpu.ts';
import { MessageTooLarge, callAbort, cappedFetch, isReadBufferOverflow } from './oversize.ts';

/** Tools one upstream may list: a limit on everything (an upstream that lies with thousands is cut). */
export const MAX_TOOLS = 128;

export interface UpstreamCall {
  result: CallToolResult;
  /** Wall time of the call. */
  ms: number;
  /** The upstream process tree's CPU over the call (shared by calls in flight at once), measured by the OS; 0 over HTTP. */
  cpuMs: number;
}

/** Replaces `${principal_dir}` in a stdio transport for one principal's instance. */
export function forPrincipal(t: Transport, dir: string | null): Transport {
  if (t.kind !== 'stdio' || dir === null) return t;
  const sub = (v: string) => v.replaceAll('${principal_dir}', dir);
  return { kind: 'stdio', command: sub(t.command), args: t.args.map(sub), env: Object.fromEntries(Object.entries(t.env).map(([k, v]) => [k, sub(v)])) };
}

/**
 * One running upstream MCP server: an SDK client over stdio (a process this world spawned, with only the
 * environment its definition names, on top of the SDK's short list of safe variables) or Streamable HTTP.
 * Never forwards anything of the caller's: arguments only, no token.
 */
export class Upstream {
  private client: Client | null = null;
  private transport: StdioClientTransport | StreamableHTTPClientTransport | null = null;
  private listed: Tool[] = [];
  private inFlight = 0;
  lastUsed = Date.now();
  /** Set when the connection closed without our asking (a crash): the manager restarts it with backoff. */
  onClosed: ((reason: string) => void) | null = null;
  /** The tool list changed upstream (list_changed): the manager refreshes the artifact's interface. */
  onToolsChanged: ((tools: Tool[]) => void) | null = null;
  private closing = false;
  private meter: { pid: number; cpu: CpuMeter } | null = null;
  /** Messages refused for their size so far: a call failing after one failed for it. */
  private oversized = 0;

  constructor(
    readonly def: BridgeDefinition,
    private readonly transportDef: Transport,
    private readonly cwd: string | undefined,
  ) {}

  get pid(): number | null {
    return this.transport instanceof StdioClientTransport ? this.transport.pid : null;
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  async start(timeoutMs: number): Promise<Tool[]> {
    const client = new Client(
      { name: 'agent-ecology-bridge', version: '1.0.0' },
      { listChanged: { tools: { onChanged: (err, tools) => !err && tools && this.setTools(tools) } } },
    );
    const t = this.transportDef;
    const maxMessage = this.maxMessageBytes;
    const transport =
      t.kind === 'stdio'
        ? new StdioClientTransport({ command: t.command, args: t.args, env: t.env, stderr: 'ignore', maxBufferSize: maxMessage, ...(this.cwd ? { cwd: this.cwd } : {}) })
        : new StreamableHTTPClientTransport(new URL(t.url), { requestInit: { headers: t.headers }, fetch: cappedFetch(maxMessage, () => this.oversized++) });
    this.transport = transport;
    this.client = client;
    client.onerror = (e) => {
      if (!isReadBufferOverflow(e)) return;
      this.oversized++;
      // The SDK drops the connection; the rest of the message would only be read to be thrown away: end it now.
      try {
        if (this.pid !== null) process.kill(this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    client.onclose = () => {
      if (!this.closing) this.onClosed?.('the upstream closed its connection');
    };
    await client.connect(transport, { timeout: timeoutMs });
    const { tools } = await client.listTools(undefined, { timeout: timeoutMs });
    this.setTools(tools);
    return this.listed;
  }

  tools(): Tool[] {
    return this.listed;
  }

  private get maxMessageBytes(): number {
    return this.def.settings.max_result_bytes * 4;
  }

  private setTools(tools: Tool[]): void {
    this.listed = tools.slice(0, MAX_TOOLS);
    this.onToolsChanged?.(this.listed);
  }

  async call(tool: string, args: Record<string, unknown>, timeoutMs: number): Promise<UpstreamCall> {
    if (!this.client) throw new Error('the upstream is not started');
    this.lastUsed = Date.now();
    const pid = this.pid;
    if (pid !== null && this.meter?.pid !== pid) this.meter = { pid, cpu: new CpuMeter(pid) };
    const cpuBefore = pid === null ? null : this.meter!.cpu.read();
    this.inFlight++;
    let most = this.inFlight;
    const started = performance.now();
    const watch = setInterval(() => (most = Math.max(most, this.inFlight)), 5);
    const oversized = this.oversized;
    const abort = new AbortController();
    try {
      const client = this.client;
      const result = (await callAbort.run(abort, () => client.callTool({ name: tool, arguments: args }, { timeout: timeoutMs, maxTotalTimeout: timeoutMs, signal: abort.signal }))) as CallToolResult;
      return { result, ms: performance.now() - started, cpuMs: this.cpuSince(cpuBefore, most) };
    } catch (e) {
      // The connection was dropped (stdio) or the answer cut off (HTTP) for a message over the cap: say so.
      throw this.oversized !== oversized ? new MessageTooLarge(this.maxMessageBytes) : e;
    } finally {
      clearInterval(watch);
      this.inFlight--;
      this.lastUsed = Date.now();
    }
  }

  /** CPU used since `before`, split evenly among the calls that were in flight together (an approximation). */
  private cpuSince(before: { ms: number; pids: number[] } | null, sharers: number): number {
    if (before === null || !this.meter) return 0;
    const after = this.meter.cpu.sum(before.pids);
    return after === null ? 0 : Math.max(0, after - before.ms) / Math.max(1, sharers);
  }

  async close(): Promise<void> {
    this.closing = true;
    const c = this.client;
    this.client = null;
    await c?.close().catch(() => {});
  }
}
