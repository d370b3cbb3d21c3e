// Compiles the sources to dist/ (what bin/ecology.mjs runs) and copies the files tsc does not emit:
// the sandbox worker's boot module and the genesis services' JavaScript, which are read at run time.
// Stamps the build with a hash of its inputs, so a stale build can be detected (tests/cli/build.test.ts).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceHash } from './source-hash.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
for (const [from, to] of [
  ['src/sandbox/worker-boot.mjs', 'src/sandbox/worker-boot.mjs'],
  ['src/bridges/fetch-guard-boot.mjs', 'src/bridges/fetch-guard-boot.mjs'],
  ...readdirSync(join(root, 'genesis', 'code'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => [`genesis/code/${f}`, `genesis/code/${f}`]),
]) {
  mkdirSync(dirname(join(dist, to)), { recursive: true });
  cpSync(join(root, from), join(dist, to));
}
writeFileSync(join(dist, 'build.json'), `${JSON.stringify({ sources: sourceHash(root) }, null, 2)}\n`);
