import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathRefused, confinePaths } from '../../src/bridges/paths.ts';

describe("the filesystem bridge's path guard", () => {
  let base: string;
  let alice: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'paths-'));
    alice = join(base, 'alice');
    mkdirSync(join(alice, 'docs'), { recursive: true });
    mkdirSync(join(base, 'bob'));
    writeFileSync(join(base, 'bob', 'secret.txt'), 'bob only');
    symlinkSync(join(base, 'bob'), join(alice, 'to-bob'));
    symlinkSync('/etc', join(alice, 'etc'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('confines relative and absolute paths to the caller’s folder, leaving other arguments alone', () => {
    expect(confinePaths(alice, { path: 'docs/a.txt', content: '../x' })).toEqual({ path: join(alice, 'docs/a.txt'), content: '../x' });
    expect(confinePaths(alice, { path: join(alice, 'docs') })).toEqual({ path: join(alice, 'docs') });
    expect(confinePaths(alice, { path: '.' })).toEqual({ path: alice });
    expect(confinePaths(alice, { paths: ['a', 'docs/b'], source: 'a', destination: 'new/c' })).toEqual({ paths: [join(alice, 'a'), join(alice, 'docs/b')], source: join(alice, 'a'), destination: join(alice, 'new/c') });
  });

  it('refuses every way out: .., absolute paths elsewhere, ~, encodings, NUL, backslashes, links', () => {
    const refused = (args: Record<string, unknown>) => expect(() => confinePaths(alice, args), JSON.stringify(args)).toThrow(PathRefused);
    refused({ path: '../bob/secret.txt' });
    refused({ path: 'docs/../../bob' });
    refused({ path: join(base, 'bob', 'secret.txt') });
    refused({ path: '/etc/passwd' });
    refused({ path: `${alice}-evil/x` });
    refused({ path: '~/x' });
    refused({ path: '%2e%2e/bob' });
    refused({ path: 'a\u0000b' });
    refused({ path: '..\\bob' });
    refused({ path: 'to-bob/secret.txt' });
    refused({ path: 'etc/passwd' });
    refused({ path: 'to-bob/new-file.txt' });
    refused({ paths: ['ok.txt', '../bob/secret.txt'] });
    refused({ destination: '/tmp/x' });
    refused({ path: '' });
    refused({ path: 42 });
    refused({ paths: Array.from({ length: 101 }, () => 'a') });
  });
});
