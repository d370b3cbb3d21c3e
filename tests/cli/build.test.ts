import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without types
import { sourceHash } from '../../scripts/source-hash.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('the build the CLI runs', () => {
  it('bin/ecology.mjs runs dist/, and dist/ was built from the sources as they are now (run `npm run build`)', () => {
    const bin = readFileSync(new URL('bin/ecology.mjs', `file://${ROOT}`), 'utf8');
    expect(bin).toContain("new URL('../dist/src/cli/main.js', import.meta.url)");
    const stamp = JSON.parse(readFileSync(new URL('dist/build.json', `file://${ROOT}`), 'utf8')) as { sources: string };
    expect(stamp.sources, 'dist/ is stale: run `npm run build`').toBe((sourceHash as (root: string) => string)(ROOT));
  });
});
