// `node --import` entry for the fetch guard: the compiled guard where it exists (dist/), else the TypeScript
// source through tsx (a checkout without a build). Plain JS on purpose: nothing to compile.
import { existsSync } from 'node:fs';

const compiled = new URL('./fetch-guard.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./fetch-guard.ts', import.meta.url).href);
}
