// Loaded into an upstream's own process (node --import): every fetch it makes goes through the world's SSRF
// guard (see guardFetch); every name it connects to is checked as it is resolved for the connection
// (guardLookup: a DNS answer that changes after the check); and it starts no other program, which would
// fetch outside the guard (mcp-fetch-server runs yt-dlp, with the caller's URL, wherever it is installed).
import childProcess from 'node:child_process';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { guardFetch, guardLookup } from './ssrf.ts';

globalThis.fetch = guardFetch(globalThis.fetch);
Object.assign(dns, { lookup: guardLookup(dns.lookup) });
const refuse = () => {
  throw new Error("this upstream may not start other programs (the world's fetch guard): they would fetch outside it");
};
Object.assign(childProcess, Object.fromEntries(['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'].map((name) => [name, refuse])));
// ESM imports of node:dns and node:child_process (`await import('child_process')`) see the guarded functions too.
syncBuiltinESMExports();
