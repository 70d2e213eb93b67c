/**
 * Serves a folder (e.g. the built demo) over the signaling server's HTTP port, so one port
 * carries both the page and its signaling.
 *
 * Safe path resolution: the URL path is decoded once, resolved against the root, and the
 * real path (symlinks followed) must still lie inside the root's real path; anything else,
 * and anything that is not a regular file, is a 404, so probing learns nothing.
 */

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Serves one GET or HEAD request from the folder; resolves once the response is under way. */
export type StaticHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * Creates a handler serving `dir`. `'/'` (and any folder) serves its `index.html`.
 *
 * @throws when `dir` is not a readable folder: better at startup than on the first request.
 */
export async function createStaticHandler(dir: string): Promise<StaticHandler> {
  const root = await realpath(resolve(dir));
  if (!(await stat(root)).isDirectory()) throw new Error(`staticDir ${dir} is not a folder`);
  return async (request, response) => {
    const file = await resolveFile(root, request.url ?? '/');
    if (file === undefined) return sendText(response, 404, 'not found');
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': file.sizeBytes,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    if (request.method === 'HEAD') return void response.end();
    const stream = createReadStream(file.path);
    // The file may vanish between stat and read; the headers are sent, so just cut the response.
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  };
}

/** Writes a short plain-text response. */
export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-content-type-options': 'nosniff' });
  response.end(text);
}

async function resolveFile(root: string, url: string): Promise<{ path: string; sizeBytes: number } | undefined> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return undefined; // malformed percent-encoding
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  let candidate = resolve(root, `.${pathname}`);
  if (!isInside(root, candidate)) return undefined;
  try {
    if ((await stat(candidate)).isDirectory()) candidate = resolve(candidate, 'index.html');
    const real = await realpath(candidate); // a symlink must not lead out of the root either
    if (!isInside(root, real)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, sizeBytes: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
