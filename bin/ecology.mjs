#!/usr/bin/env node
// The `ecology` command. The sources are TypeScript run through tsx (a runtime dependency), so a
// clean clone works after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
