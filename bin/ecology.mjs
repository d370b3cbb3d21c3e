#!/usr/bin/env node
// The `ecology` command runs the compiled build in dist/ (made by `npm install`, or `npm run build`), so
// it starts without compiling anything. ECOLOGY_DEV=1 runs the TypeScript sources through tsx instead.
import { existsSync } from 'node:fs';

const dev = process.env.ECOLOGY_DEV === '1';
const built = new URL('../dist/src/cli/main.js', import.meta.url);
if (!dev && !existsSync(built)) {
  process.stderr.write('ecology: the build is missing (dist/). Run `npm run build` (npm install runs it), or set ECOLOGY_DEV=1 to run the sources.\n');
  process.exit(1);
}
if (dev) (await import('tsx/esm/api')).register();
const { main } = await import(dev ? '../src/cli/main.ts' : built.href);
process.exitCode = await main(process.argv);
