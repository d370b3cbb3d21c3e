// A hash of everything the build compiles or copies, so a build can say which sources it was made from.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const INPUTS = ['src', 'genesis', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

function files(root, path) {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full)
    .sort()
    .flatMap((name) => files(root, join(path, name)));
}

export function sourceHash(root) {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap((p) => files(root, p)).sort()) {
    h.update(relative(root, join(root, f)));
    h.update('\0');
    h.update(readFileSync(join(root, f)));
    h.update('\0');
  }
  return h.digest('hex');
}
