/**
 * Red team: JSON Schema work in the host thread. Interfaces are validated with Ajv in the host thread,
 * inside the command's transaction, before the calls window is consumed. `pattern` and friends are
 * refused, but cost is still (schema size x data size), compiling a 32 KiB schema takes ~0.5 s, and
 * Ajv keeps every schema it ever compiled.
 *
 * Each test asserts the safe behaviour, so it fails while the attack works.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { useWorld } from '../helpers/world.ts';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const BRANCH = { type: 'array', items: { type: 'number' } };
/** ~32 KiB: an allOf of 739 identical array branches, the last refusing any array longer than 1. */
const amplifier = (salt = '') => ({
  type: 'object',
  ...(salt ? { description: salt } : {}),
  properties: { a: { allOf: [...Array.from({ length: 738 }, () => BRANCH), { type: 'array', maxItems: 1 }] } },
});
/** 480 KB of JSON, under limits.max_args_bytes. */
const BIG = Array.from({ length: 240_000 }, () => 1);

describe('red team: schema validation in the host thread', () => {
  const t = useWorld({ principals: ['eve', 'bystander'], config: { principal_defaults: { calls: 5 } } });

  it('validating one call\'s arguments does not hold the host for seconds (and a refused validation still counts as a call)', () => {
    const { world, ok, fail } = t();
    // The 739-branch amplifier is refused when written (at most 64 subschemas)...
    fail('eve', 'genesis_store', 'write', { id: 'amp', can_execute: true, description: 'x', code: 'export function f(){ return 1 }', interface: [{ name: 'f', description: 'f', inputSchema: amplifier(), price: 0 }] }, 'INVALID_ARGS');
    // ... so the most eve can write is one with 30 branches, and her arguments are capped at 64 KiB.
    const most = { type: 'object', properties: { a: { allOf: [...Array.from({ length: 29 }, () => BRANCH), { type: 'array', maxItems: 1 }] } } };
    ok('eve', 'genesis_store', 'write', { id: 'amp', can_execute: true, description: 'x', code: 'export function f(){ return 1 }', interface: [{ name: 'f', description: 'f', inputSchema: most, price: 0 }] });
    const times: number[] = [];
    const codes: string[] = [];
    // eve has 4 calls left in her window: anything past them must be refused RATE_LIMITED.
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const r = world.invoke('eve', 'genesis_store', 'invoke', { id: 'amp', method: 'f', args: { a: BIG.slice(0, 30_000) } });
      times.push(performance.now() - t0);
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    // Measured here: every call INVALID_ARGS after ~2.7 s of host time, none counted in the window.
    expect(codes.slice(4), `codes ${codes.join(',')}`).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(Math.max(...times), `host ms per call: ${times.map((x) => x.toFixed(0)).join(', ')}`).toBeLessThan(500);
  });
});

describe('red team: schema compilation in the host thread', () => {
  const t = useWorld({ principals: ['eve'], config: { principal_defaults: { calls: 100_000 } } });

  it('a refused write does not make the host compile a 32 KiB interface for ~0.5 s', () => {
    const { world } = t();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      // can_execute with no code: refused right after the interface is compiled, so no disk quota is spent.
      const r = world.invoke('eve', 'genesis_store', 'write', { id: 'never', can_execute: true, code: '', description: 'x', interface: [{ name: 'f', description: 'f', inputSchema: amplifier(`v${i}`), price: 0 }] });
      times.push(performance.now() - t0);
      expect(r.ok).toBe(false);
    }
    expect(Math.min(...times), `host ms per refused write: ${times.map((x) => x.toFixed(0)).join(', ')}`).toBeLessThan(100);
  });

  it('compiled schemas are not kept without bound (Ajv caches every schema object it compiled; the 2,000-entry cap clears only our map)', () => {
    const { world } = t();
    // 32 methods x (input + output) = 64 distinct small schemas per refused write.
    const write = (round: number, w: number) =>
      world.invoke('eve', 'genesis_store', 'write', {
        id: 'never',
        can_execute: true,
        code: '',
        description: 'x',
        interface: Array.from({ length: 32 }, (_, m) => ({
          name: `m${m}`,
          description: 'm',
          price: 0,
          inputSchema: { type: 'object', description: `r${round}w${w}m${m}`, properties: { a: { type: 'number' }, b: { type: 'string' }, c: { type: 'array', items: { type: 'number' } } } },
          outputSchema: { type: 'object', description: `o${round}w${w}m${m}`, properties: { a: { type: 'number' } } },
        })),
      });
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    // Fill the application's cache past its cap first, so what follows is steady state.
    for (let w = 0; w < 40; w++) write(0, w);
    const before = heap();
    for (let w = 0; w < 120; w++) expect(write(1, w).ok).toBe(false);
    const grown = (heap() - before) / 1e6;
    // 7,680 more schemas compiled; a bounded cache would keep the heap flat.
    expect(grown, `heap grew ${grown.toFixed(1)} MB over 120 refused writes`).toBeLessThan(10);
  });
});
