/**
 * Diagnostic for the MCP bench: the echo server over stdio, except that each echo first commits the
 * SQL a kernel transfer must write (bench/floor.ts). Against plain echo it shows the most any kernel
 * keeping the design's records (one transaction per command) could reach on this transport.
 *
 *   node --import tsx bench/floor-stdio.ts <floor.db>
 */
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { echoServer } from './echo.ts';
import { storageFloor } from './floor.ts';
const floor = storageFloor(process.argv[2]!);
const handle = serveStdio(() => echoServer(floor));
process.stdin.once('end', () => void handle.close().then(() => process.exit(0)));
