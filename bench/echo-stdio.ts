// A trivial echo MCP server over stdio: the baseline for world tools on the same SDK and transport.
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { echoServer } from './echo.ts';

const handle = serveStdio(() => echoServer());
process.stdin.once('end', () => void handle.close().then(() => process.exit(0)));
