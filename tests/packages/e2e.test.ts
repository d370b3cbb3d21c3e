import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { RunningHttp } from '../../src/mcp/http.ts';
import { callError, callOk, httpClient, serveWorld, tokenFor } from '../helpers/mcp.ts';
import { codeArtifact, type TestWorld } from '../helpers/world.ts';
import { packagesWorld } from './registry-standin.ts';

const PRICE = 4;

/**
 * Packages end to end, through the real MCP SDK client over the world's HTTP server: alice installs a package,
 * writes a tool that imports it and sells calls to it; bob pays for one; the scrip lands exactly.
 */
describe('packages end to end through the real MCP client', () => {
  let t: TestWorld;
  let close: () => Promise<void>;
  let http: RunningHttp;
  let alice: Client;
  let bob: Client;
  const scrip = (p: string) => t.world.kernel.services.ledger.balance(p, 'scrip');

  beforeAll(async () => {
    const pkgs = [
      { name: 'slugger', version: '2.1.0', type: 'module' as const, main: 'index.js', dependencies: { 'lower-it': '^1' }, files: { 'index.js': "import lower from 'lower-it'; export default function slug(s) { return lower(s).trim().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''); }" } },
      { name: 'lower-it', version: '1.0.3', type: 'module' as const, main: 'index.js', files: { 'index.js': 'export default (s) => s.toLowerCase();' } },
    ];
    ({ t, close } = await packagesWorld(pkgs, { principals: ['alice', 'bob'], config: { principal_defaults: { scrip: 100 } } }));
    http = await serveWorld(t.world);
    alice = await httpClient(http.url, tokenFor(t.world, 'alice'), 'modern');
    bob = await httpClient(http.url, tokenFor(t.world, 'bob'), 'legacy');
  }, 60_000);
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await http.close();
    await close();
  });

  it('alice installs a package and sells a tool importing it; bob pays for a call; the result and the scrip are exact', async () => {
    const tools = (await alice.listTools()).tools.map((x) => x.name);
    expect(tools).toEqual(expect.arrayContaining(['package_install', 'package_list', 'package_info', 'capability_request', 'capability_list']));
    // Importing before installing says what to do.
    const early = await callError(alice, 'artifact_write', codeArtifact('slug', "import slug from 'slugger'; export function make({ title }) { return slug(title); }", [{ name: 'make', price: PRICE }]));
    expect(early.code).toBe('INVALID_ARGS');
    expect(early.message).toMatch(/package_install/);

    const before = scrip('alice');
    const installed = await callOk(alice, 'package_install', { name: 'slugger', version: '^2' });
    expect(installed).toMatchObject({ name: 'slugger', version: '2.1.0', installed: true, packages: [{ name: 'slugger' }, { name: 'lower-it', version: '1.0.3' }] });
    expect(scrip('alice')).toBe(before - installed.fee);
    expect((await callOk(bob, 'package_info', { name: 'slugger' })).versions[0]).toMatchObject({ id: installed.id, installed_by: 'alice' });

    await callOk(alice, 'artifact_write', codeArtifact('slug', "import slug from 'slugger'; export function make({ title }) { return slug(title); }", [{ name: 'make', price: PRICE, inputSchema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } }]));
    const a0 = scrip('alice');
    const b0 = scrip('bob');
    const res = await callOk(bob, 'artifact_invoke', { id: 'slug', method: 'make', args: { title: '  Hello, Big World! ' }, max_price: PRICE });
    expect(res.result).toBe('hello-big-world');
    expect(scrip('bob')).toBe(b0 - PRICE);
    expect(scrip('alice')).toBe(a0 + PRICE);
    expect(t.world.check().violations).toEqual([]);
  });
});
