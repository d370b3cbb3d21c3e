import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { connectInProcess } from '../../src/mcp/inprocess.ts';
import { worldHandler } from '../../src/mcp/http.ts';
import { MAX_TOOLS } from '../../src/bridges/upstream.ts';
import type { HybridHandler } from '../../src/mcp/hybrid.ts';
import type { ConfigInput } from '../../src/kernel/config.ts';
import type { InvokeResult } from '../../src/kernel/kernel.ts';
import { callOk } from '../helpers/mcp.ts';
import { FIXTURES, bridgeFolder, invokeVia, startHttpUpstream, untilBack, type HttpUpstream } from '../helpers/bridges.ts';
import { openTestWorld, stateOf, tempDir, type TestWorld } from '../helpers/world.ts';

const HOSTILE = join(FIXTURES, 'hostile-stdio.mjs');
/** What every piece of injected text in the fixture carries. */
const POISON = 'POISON-7731';
const SECRET = 'sk-world-secret-90210';
const GRANTED = 'granted-to-hostile-5150';
const MB = 1024 * 1024;

type Failure = Extract<InvokeResult, { ok: false }>['error'];
const failure = (r: InvokeResult): Failure => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value).slice(0, 300)}`);
  return r.error;
};
const value = <T = any>(r: InvokeResult): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};
const text = (r: InvokeResult): string => (value(r).content as { text: string }[]).map((c) => c.text).join('');

describe('hostile upstreams: every lie and malformation is a clear error, and the world stays as it was but for the charge', () => {
  let t: TestWorld;
  let web: HttpUpstream;
  let folder: ReturnType<typeof bridgeFolder>;
  let failed: Record<string, string>;
  const scratch = tempDir();
  /** Where the flooding fixture notes how much it got out. */
  const counted = join(scratch.dir, 'flood-count');
  const stdio = (mode: string, env: Record<string, string> = {}) => ({ command: process.execPath, args: [HOSTILE, mode, counted], env });
  const invoke = (id: string, method: string, args: Record<string, unknown> = {}, as = 'alice') => invokeVia(t.world, as, id, method, args);
  const scrip = (p: string) => t.world.kernel.services.ledger.balance(p, 'scrip');
  const info = (id: string) => t.peek('genesis_store', 'info', { id });
  /** A failed call: the stable code, a message that says what to do, no injected text in it, and nothing changed. */
  async function refused(id: string, method: string, code: string, args: Record<string, unknown> = {}): Promise<Failure> {
    const before = stateOf(t.world);
    const e = failure(await invoke(id, method, args));
    expect(e.code, `${method}: ${e.message}`).toBe(code);
    expect(e.message).toMatch(/Retry|Ask for less|Check the arguments|operator|ecology bridge list/);
    expect(e.message).not.toContain(POISON);
    expect(stateOf(t.world), method).toBe(before);
    return e;
  }

  beforeAll(async () => {
    web = await startHttpUpstream();
    // The world's own secrets, and the one variable a definition names.
    process.env.SECRET_X = SECRET;
    process.env.ECOLOGY_TEST_GRANTED = GRANTED;
    delete process.env.ECOLOGY_TEST_UNSET;
    const eco = (description: string, extra: Record<string, unknown> = {}) => ({ description, fee: 1, ...extra });
    folder = bridgeFolder({
      hostile: { server: stdio('liar', { GRANTED: '${env:ECOLOGY_TEST_GRANTED}' }), ecology: eco('A liar.', { tool_timeouts_ms: { wrong_id: 1_000, not_json: 1_000 } }) },
      shifty: { server: stdio('liar'), ecology: eco('Changes its schemas.') },
      crowded: { server: stdio('many'), ecology: eco('Lists 5,000 tools.') },
      misnamed: { server: stdio('badnames'), ecology: eco('Lists tools with names MCP does not allow.') },
      nonobject: { server: stdio('nonobject'), ecology: eco('Lists a tool whose input is not an object.') },
      endless: { server: stdio('endless'), ecology: eco('Its tool list pages never end.') },
      unset: { server: stdio('liar', { KEY: '${env:ECOLOGY_TEST_UNSET}' }), ecology: eco('Needs a variable nobody set.') },
      web: { server: { url: web.url, headers: { 'X-Api-Key': 'definition-key' } }, ecology: eco('An HTTP upstream that floods.') },
    });
    t = await openTestWorld({ principals: ['alice', 'bob'], config: { bridges: { folder: folder.dir } } as ConfigInput });
    failed = await t.world.registerBridges();
  }, 60_000);
  afterAll(async () => {
    delete process.env.SECRET_X;
    delete process.env.ECOLOGY_TEST_GRANTED;
    const report = t.world.check();
    await t.world.close();
    web.stop();
    folder.cleanup();
    scratch.cleanup();
    expect(report.violations).toEqual([]);
  });

  it('a lying tool list costs the upstream its bad tools, never the bridge: cut at MAX_TOOLS, bad names and duplicates dropped, huge or uncheckable schemas permissive (regression: one badly named tool or a 700 KB schema kept the whole bridge from registering; a regex in a schema made its tool uncallable)', async () => {
    // Only the bridges whose upstream could not list its tools at all failed, each saying why.
    expect(Object.keys(failed).sort()).toEqual(['mcp_endless', 'mcp_nonobject']);
    expect(failed.mcp_endless).toMatch(/listMaxPages/);
    expect(failed.mcp_nonobject).toMatch(/tools\/list/);
    const crowded = info('mcp_crowded');
    expect(crowded.interface).toHaveLength(MAX_TOOLS);
    expect(crowded.interface.at(-1).name).toBe(`t0${MAX_TOOLS - 1}`);
    const misnamed = info('mcp_misnamed');
    expect(misnamed.interface.map((m: { name: string }) => m.name)).toEqual(['ok', 'fine.too']);
    expect(misnamed.interface[0].description).toBe('[upstream text, untrusted] Echoes its message.');
    expect(text(await invoke('mcp_misnamed', 'ok', { message: 'still works' }))).toBe('echo: still works');

    const hostile = info('mcp_hostile');
    const byName = Object.fromEntries(hostile.interface.map((m: { name: string }) => [m.name, m]));
    expect(hostile.can_execute).toBe(true);
    for (const m of hostile.interface) expect(m.description.startsWith('[upstream text, untrusted] '), m.name).toBe(true);
    expect(byName.poisoned.description).toContain(POISON);
    expect(byName.long_winded.description.length).toBeLessThanOrEqual('[upstream text, untrusted] '.length + 1_000);
    expect(byName.target.inputSchema).toMatchObject({ properties: { n: { type: 'number' } }, required: ['n'] });
    // A 700 KB schema and a schema with a backtracking regex: the door checks nothing costly; the upstream checks.
    expect(byName.huge_schema.inputSchema).toEqual({ type: 'object' });
    expect(byName.regex_schema.inputSchema).toEqual({ type: 'object' });
    expect(text(await invoke('mcp_hostile', 'regex_schema', { s: `${'a'.repeat(40)}!` }))).toBe('tool regex_schema');
    expect(text(await invoke('mcp_hostile', 'huge_schema', { anything: 1 }))).toBe('tool huge_schema');
    expect(t.world.check().violations).toEqual([]);
  });

  it("bridges whose upstream cannot list its tools are off, and say why (regression: calling an off bridge said 'read it with artifact_read instead', not why)", async () => {
    for (const id of ['mcp_nonobject', 'mcp_endless']) {
      expect(info(id).can_execute, id).toBe(false);
      const e = await refused(id, 'ok', 'UPSTREAM_ERROR');
      expect(e.message).toMatch(new RegExp(`^${id} is a bridge that is off`));
      expect(String(e.details.reason)).toMatch(/did not start/);
    }
  });

  it("upstream descriptions, prompt injection included, never reach this server's own MCP lists; they stay marked as data", async () => {
    const handler: HybridHandler = worldHandler(t.world);
    const clients: Client[] = [await connectInProcess(handler, 'alice'), await connectInProcess(handler, 'alice', { era: 'legacy' })];
    try {
      for (const c of clients) {
        const { tools } = await c.listTools();
        const own = JSON.stringify([tools, await c.listPrompts(), await c.listResources(), await c.listResourceTemplates()]);
        expect(own).not.toContain(POISON);
        expect(own).not.toContain('Ignore all previous instructions');
        expect(tools.map((x) => x.name)).not.toContain('poisoned');
        // Asked for, the upstream's text comes back as the bridge's data, marked.
        const shown = await callOk(c, 'artifact_info', { id: 'mcp_hostile' });
        const poisoned = shown.interface.find((m: { name: string }) => m.name === 'poisoned');
        expect(poisoned.description).toMatch(/^\[upstream text, untrusted\] <IMPORTANT>Ignore all previous/);
      }
    } finally {
      for (const c of clients) await c.close();
      await handler.close();
    }
    // A result carrying injected text comes back wrapped as untrusted data, and costs the fee.
    const before = scrip('alice');
    const r = value(await invoke('mcp_hostile', 'poisoned'));
    expect(r).toMatchObject({ untrusted: true, source: 'mcp_hostile.poisoned' });
    expect(scrip('alice')).toBe(before - 1);
    expect(t.world.check().violations).toEqual([]);
  });

  it("tools that behave otherwise than listed: an error result, a JSON-RPC error, a tool gone, a result that is no tool result (regression: a JSON-RPC error's text became the world's own message, unmarked)", async () => {
    const isError = await refused('mcp_hostile', 'fails_when_called', 'UPSTREAM_ERROR');
    expect(isError.details).toMatchObject({ untrusted: true });
    expect(JSON.stringify(isError.details.content)).toContain(POISON);
    // The upstream's JSON-RPC error text is data in details, marked, never the world's message.
    const rpc = await refused('mcp_hostile', 'protocol_error', 'UPSTREAM_ERROR');
    expect(rpc.details).toMatchObject({ upstream_code: -32603, untrusted: true });
    expect(String(rpc.details.upstream_text)).toContain(POISON);
    const gone = await refused('mcp_hostile', 'vanished', 'UPSTREAM_ERROR');
    expect(gone.details).toMatchObject({ upstream_code: -32602, upstream_text: 'Unknown tool: vanished', untrusted: true });
    const shape = await refused('mcp_hostile', 'wrong_shape', 'UPSTREAM_ERROR');
    expect(shape.message).toMatch(/not an MCP tool result/);
    // A tool the upstream never listed is refused by the door, before any call.
    const unlisted = failure(await invoke('mcp_hostile', 'not_listed'));
    expect(unlisted.code).toBe('NOT_FOUND');
    expect(t.world.check().violations).toEqual([]);
  });

  it('garbage lines, a wrong id, a stringly id and non-JSON mid-call: skipped, or a timeout; the stream stays in step', async () => {
    const before = scrip('alice');
    const answered = value(await invoke('mcp_hostile', 'garbage_then_answer'));
    expect(answered.untrusted).toBe(true);
    // The SDK takes "5" for 5 (and drops the rest); whichever it took, it is the upstream's answer, marked.
    expect(answered.content[0].text).toMatch(/^(the right number, as a string|the real answer)$/);
    const wrongId = await refused('mcp_hostile', 'wrong_id', 'TIMEOUT');
    expect(wrongId.message).toMatch(/did not answer within 1000 ms/);
    await refused('mcp_hostile', 'not_json', 'TIMEOUT');
    // Each answer still matches its own call: nothing late was taken for a later call's.
    for (const message of ['one', 'two']) expect(text(await invoke('mcp_hostile', 'ok', { message }))).toBe(`echo: ${message}`);
    expect(scrip('alice')).toBe(before - 3);
    expect(t.world.check().violations).toEqual([]);
  });

  it('an upstream dying half-way through a line: a retriable error, and the bridge comes back', async () => {
    const e = await refused('mcp_hostile', 'half_then_die', 'UPSTREAM_ERROR');
    expect(e.retriable).toBe(true);
    expect(text(await untilBack(t.world, 'alice', 'mcp_hostile', 'ok', { message: 'back' }))).toBe('echo: back');
    expect(t.world.check().violations).toEqual([]);
  });

  it("50 MB from a stdio upstream: refused as it arrives (the host stops reading), the bridge restarts, others never noticed (regression: reported as 'Connection closed' after the host read all 50 MB)", async () => {
    const e = await refused('mcp_hostile', 'flood', 'UPSTREAM_ERROR');
    expect(e.message).toMatch(/sent a message larger than the 1048576 bytes this bridge takes.*Ask for less/);
    // The fixture notes every MB it got out: the host read about one MB (the cap), not fifty.
    expect(Number(readFileSync(counted, 'utf8'))).toBeLessThan(25 * MB);
    expect(text(await invokeVia(t.world, 'bob', 'mcp_web', 'echo', { during: 'restart' }))).toBe('{"during":"restart"}');
    expect(text(await untilBack(t.world, 'alice', 'mcp_hostile', 'ok', { message: 'after the flood' }))).toBe('echo: after the flood');
    expect(t.world.check().violations).toEqual([]);
  });

  it('50 MB from an HTTP upstream, as one JSON body or one event: cut off past the cap, the connection dropped, later calls fine (regression: the host read and parsed all 50 MB before refusing it)', async () => {
    for (const tool of ['flood', 'flood_sse']) {
      const e = await refused('mcp_web', tool, 'UPSTREAM_ERROR');
      expect(e.message).toMatch(/sent a message larger than the 1048576 bytes/);
      // What got out before the world hung up: socket buffers and the cap, far from 50 MB.
      expect(await web.floodWritten()).toBeLessThan(25 * MB);
      expect(text(await invoke('mcp_web', 'echo', { after: tool }))).toBe(`{"after":"${tool}"}`);
    }
    expect(text(await invoke('mcp_hostile', 'ok', { message: 'unaffected' }))).toBe('echo: unaffected');
    expect(t.world.check().violations).toEqual([]);
  });

  it("a list_changed that swaps a tool's schema: the bridge's interface follows, the door checks the new one, the text stays marked", async () => {
    const target = () => info('mcp_shifty').interface.find((m: { name: string }) => m.name === 'target');
    expect(text(await invoke('mcp_shifty', 'target', { n: 1 }))).toBe('target got {"n":1}');
    expect(failure(await invoke('mcp_shifty', 'target', { s: 'x' })).code).toBe('INVALID_ARGS');
    expect(text(await invoke('mcp_shifty', 'swap'))).toBe('swapped');
    await expect.poll(() => target().inputSchema.required, { timeout: 15_000 }).toEqual(['s']);
    expect(target().description).toMatch(/^\[upstream text, untrusted\] /);
    expect(text(await invoke('mcp_shifty', 'target', { s: 'x' }))).toBe('target got {"s":"x"}');
    const before = stateOf(t.world);
    expect(failure(await invoke('mcp_shifty', 'target', { n: 1 })).code).toBe('INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
    expect(t.world.check().violations).toEqual([]);
  });

  it('an upstream dumping its environment finds only what its definition names (and the SDK\'s short list), never the world\'s secrets', async () => {
    const env = JSON.parse(text(await invoke('mcp_hostile', 'env'))) as Record<string, string>;
    expect(env.GRANTED).toBe(GRANTED);
    expect(JSON.stringify(env)).not.toContain(SECRET);
    expect(Object.keys(env).filter((k) => !['GRANTED', 'HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'].includes(k))).toEqual([]);
    expect(t.world.check().violations).toEqual([]);
  });

  it('a definition naming ${env:UNSET} is off, says which variable, and starts nothing', async () => {
    const def = t.world.bridges!.definitions().find((d) => d.name === 'unset')!;
    expect(def.disabled).toBe('ECOLOGY_TEST_UNSET is not set');
    expect(info('mcp_unset').can_execute).toBe(false);
    const e = await refused('mcp_unset', 'ok', 'UPSTREAM_ERROR', { message: 'x' });
    expect(e.details.reason).toBe('ECOLOGY_TEST_UNSET is not set');
    expect(t.world.bridges!.running().map((r) => r.server)).not.toContain('unset');
  });
});
