import { expect } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { VirtualClock } from '../../src/kernel/clock.ts';
import type { SessionStep } from '../../src/mcp/handbook/index.ts';

const VAR = /^\$[a-z_]+$/;

/**
 * Runs a handbook session through real MCP clients, one per principal: each call is made as written,
 * `"$name"` strings bind to returned values and stand for them afterwards, waits move the world's clock.
 */
export async function runSession(steps: readonly SessionStep[], clients: Record<string, Client>, clock: VirtualClock): Promise<Map<string, unknown>> {
  const vars = new Map<string, unknown>();
  for (const [i, s] of steps.entries()) {
    if ('wait_s' in s) {
      clock.advance(s.wait_s * 1000);
      continue;
    }
    if ('until' in s) {
      const at = vars.get(s.until);
      if (typeof at !== 'number') throw new Error(`step ${i + 1}: ${s.until} is not a time bound earlier`);
      if (at > clock.now()) clock.set(at);
      continue;
    }
    const where = `step ${i + 1}: ${s.as}> ${s.tool}`;
    const client = clients[s.as];
    if (!client) throw new Error(`${where}: no client for ${s.as}`);
    const r = await client.callTool({ name: s.tool, arguments: substitute(s.args, vars, where) as Record<string, unknown> });
    const out = r.structuredContent as Record<string, unknown> | undefined;
    if (s.fails !== undefined) {
      expect(r.isError, `${where} should fail with ${s.fails}, returned ${JSON.stringify(out)}`).toBe(true);
      expect((out?.error as { code?: string } | undefined)?.code, `${where}: ${JSON.stringify(out)}`).toBe(s.fails);
      continue;
    }
    expect(r.isError ?? false, `${where} failed: ${JSON.stringify(out)}`).toBe(false);
    if (s.returns !== undefined) matchPart(out, s.returns, vars, where);
  }
  return vars;
}

function substitute(v: unknown, vars: Map<string, unknown>, where: string): unknown {
  if (typeof v === 'string' && VAR.test(v)) {
    if (!vars.has(v)) throw new Error(`${where}: ${v} is used before it is bound`);
    return vars.get(v);
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, vars, where));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, vars, where)]));
  return v;
}

/** Only what the example shows is checked: object keys it names, arrays element by element and in full. */
function matchPart(actual: unknown, expected: unknown, vars: Map<string, unknown>, path: string): void {
  if (typeof expected === 'string' && VAR.test(expected)) {
    if (vars.has(expected)) expect(actual, path).toEqual(vars.get(expected));
    else {
      expect(actual, `${path} should bind ${expected}`).not.toBeUndefined();
      vars.set(expected, actual);
    }
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} should be an array`).toBe(true);
    expect((actual as unknown[]).length, `${path}: ${JSON.stringify(actual)}`).toBe(expected.length);
    expected.forEach((e, i) => matchPart((actual as unknown[])[i], e, vars, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(actual !== null && typeof actual === 'object', `${path} should be an object, got ${JSON.stringify(actual)}`).toBe(true);
    for (const [k, v] of Object.entries(expected)) matchPart((actual as Record<string, unknown>)[k], v, vars, `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}
