import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfigFile, parseConfig } from '../../src/kernel/config.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { World } from '../../src/world.ts';
import { tempDir } from '../helpers/world.ts';

function configError(input: unknown): KernelError {
  try {
    parseConfig(input);
  } catch (err) {
    if (err instanceof KernelError) return err;
    throw err;
  }
  throw new Error('expected a config error');
}

describe('config', () => {
  it('has every default in one place', () => {
    const c = defaultConfig();
    expect(c.principal_defaults.scrip).toBe(100);
    expect(c.rates.window_ms).toBe(60_000);
    expect(c.sandbox).toMatchObject({ memory_bytes: 32 * 1024 * 1024, stack_bytes: 256 * 1024, cpu_ms: 100, kill_grace_ms: 50, hard_kill_ms: 2_000 });
    expect(c.limits.max_invoke_depth).toBe(5);
    expect(c.limits.max_queued_per_principal).toBe(256);
    expect(c.contracts.default).toBe('genesis_contract_freeware');
    expect(c.store.page_size).toBe(1024);
  });

  it('merges partial input with defaults', () => {
    const c = parseConfig({ limits: { max_invoke_depth: 3 }, principal_defaults: { scrip: 7 } });
    expect(c.limits.max_invoke_depth).toBe(3);
    expect(c.limits.max_nested_invokes).toBe(200);
    expect(c.principal_defaults).toMatchObject({ scrip: 7, calls: 600 });
  });

  it.each([
    ['an unknown top-level key', { limitz: {} }, /limitz/],
    ['a misspelt nested key', { sandbox: { cpu: 5 } }, /cpu/],
    ['a negative value', { principal_defaults: { scrip: -1 } }, /scrip/],
    ['a fractional value', { rates: { window_ms: 1.5 } }, /window_ms/],
    ['a stack above 256 KiB (crashes the host)', { sandbox: { stack_bytes: 1024 * 1024 } }, /stack_bytes/],
    ['an unknown default contract', { contracts: { default: 'my_contract' } }, /default/],
    ['an args limit smaller than a write', { limits: { max_args_bytes: 1024 } }, /max_args_bytes/],
    ['a bad costs key', { costs: { 'ledger.transfer': 1 } }, /costs/],
    ['a hard kill shorter than the CPU deadline', { sandbox: { hard_kill_ms: 50, cpu_ms: 100 } }, /hard_kill_ms/],
    ['no grace before a native overrun is killed', { sandbox: { kill_grace_ms: 0 } }, /kill_grace_ms/],
    ['a page size that is not a power of two', { store: { page_size: 1000 } }, /power of two[\s\S]*store.page_size/],
    ['a page size above SQLite\'s largest', { store: { page_size: 131_072 } }, /page_size/],
  ])('refuses %s with a clear error', (_l, input, pattern) => {
    const e = configError(input);
    expect(e.code).toBe('INVALID_ARGS');
    expect(e.message).toMatch(pattern);
  });

  it('loads a JSON file and says what is wrong with a bad one', () => {
    const { dir, cleanup } = tempDir();
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ rates: { window_ms: 5000 } }));
      expect(loadConfigFile(good).rates.window_ms).toBe(5000);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ nope');
      expect(() => loadConfigFile(bad)).toThrow(/not valid JSON/);
      expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(/Cannot read config file/);
    } finally {
      cleanup();
    }
  });

  it('is stored in the world, so another process opening the file without a config uses the same rules', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'w.db');
      const a = await World.open({ path: db, config: { principal_defaults: { scrip: 42 } } });
      await a.close();
      const b = await World.open({ path: db });
      expect(b.config.principal_defaults.scrip).toBe(42);
      expect(b.createPrincipal('alice').ok).toBe(true);
      await b.close();
      const c = await World.open({ path: db, config: { principal_defaults: { scrip: 7 } } });
      const ev = c.invoke('genesis_operator', 'genesis_event_log', 'read', { types: ['config_changed'] });
      expect(ev.ok && (ev.value as { events: unknown[] }).events).toHaveLength(1);
      await c.close();
    } finally {
      cleanup();
    }
  });
});
