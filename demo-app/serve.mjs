#!/usr/bin/env node
/**
 * `npm start`: serves the built demos (demo-app/dist) and the signaling server on one port, and
 * prints the address to open. Options: `--port N` (default 8787, or $PORT), `--host H` (default
 * 127.0.0.1; `0.0.0.0` to let other devices on the network join). Stops cleanly on Ctrl+C.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSignalingServer } from '@synchrony/signaling-server';

const staticDir = fileURLToPath(new URL('./dist', import.meta.url));
const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' } },
});
const port = Number(values.port ?? process.env.PORT ?? 8787);
const host = values.host ?? '127.0.0.1';

if (!existsSync(`${staticDir}/index.html`)) {
  console.error('demo-app/dist is missing: run `npm run build` first (`npm start` does).');
  process.exit(1);
}

let server;
try {
  server = await startSignalingServer({ port, host, staticDir });
} catch (error) {
  const inUse = error?.code === 'EADDRINUSE';
  console.error(inUse ? `Port ${port} is in use: stop what holds it, or run \`npm start -- --port 8788\`.` : error);
  process.exit(1);
}

const shown = host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host;
console.log(`Synchrony demos: http://${shown}:${server.port}`);
console.log(`  whiteboard:       http://${shown}:${server.port}/whiteboard.html`);
console.log(`  multiplayer room: http://${shown}:${server.port}/room.html`);
if (host === '0.0.0.0') console.log('  (listening on every interface: open the same path at this machine\'s address from another device)');
console.log('Open a link in several tabs or browsers to see them agree. Ctrl+C stops.');

const stop = () => {
  server.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
