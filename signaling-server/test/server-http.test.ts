import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, it, expect } from 'vitest';
import type { SignalingServer } from '../src/server.js';
import { TestClient, cleanup, httpUrl, startServer } from './helpers.js';

afterEach(cleanup);

/** A raw GET: unlike fetch, node:http sends the path exactly as given, dot segments and all. */
function rawGet(server: SignalingServer, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/healthz', () => {
  it('reports sockets and groups', async () => {
    const server = await startServer();
    expect(await rawGet(server, '/healthz')).toMatchObject({ status: 200, body: JSON.stringify({ ok: true, sockets: 0, groups: 0 }) });
    const a = await TestClient.welcomed(server.url, 'a');
    await TestClient.open(server.url);
    a.send({ type: 'join', group: 'g1' });
    a.send({ type: 'join', group: 'g2' });
    await a.peers('g2', []);
    const response = await fetch(`${httpUrl(server)}/healthz?verbose=1`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ ok: true, sockets: 2, groups: 2 });
  });

  it('answers 404 for other paths without staticDir, and 405 for other methods', async () => {
    const server = await startServer();
    expect((await rawGet(server, '/')).status).toBe(404);
    expect((await rawGet(server, '/index.html')).status).toBe(404);
    expect((await rawGet(server, '/healthz', 'POST')).status).toBe(405);
  });
});

describe('static files', () => {
  let base: string;
  let site: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'synchrony-static-'));
    site = join(base, 'site');
    await mkdir(join(site, 'assets'), { recursive: true });
    await mkdir(join(site, 'docs'), { recursive: true });
    await writeFile(join(base, 'secret.txt'), 'TOP SECRET');
    await writeFile(join(site, 'index.html'), '<!doctype html><title>demo</title>');
    await writeFile(join(site, 'docs', 'index.html'), '<p>docs</p>');
    const files: Record<string, string> = { 'app.js': 'export {}', 'style.css': 'body{}', 'data.json': '{}', 'logo.svg': '<svg/>', 'icon.png': 'png', 'mod.wasm': 'wasm', 'blob.bin': 'bin' };
    for (const [name, content] of Object.entries(files)) await writeFile(join(site, 'assets', name), content);
    await symlink(join(base, 'secret.txt'), join(site, 'escape.txt'));
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('serves index.html for / and folders, with content types', async () => {
    const server = await startServer({ staticDir: site });
    expect(await rawGet(server, '/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><title>demo</title>' });
    expect(await rawGet(server, '/docs/')).toMatchObject({ status: 200, body: '<p>docs</p>' });
    const types: Record<string, string> = {
      'app.js': 'text/javascript; charset=utf-8', 'style.css': 'text/css; charset=utf-8', 'data.json': 'application/json; charset=utf-8',
      'logo.svg': 'image/svg+xml', 'icon.png': 'image/png', 'mod.wasm': 'application/wasm', 'blob.bin': 'application/octet-stream',
    };
    for (const [name, type] of Object.entries(types)) expect(await rawGet(server, `/assets/${name}?v=1`), name).toMatchObject({ status: 200, type });
    expect(await rawGet(server, '/assets/app.js', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await rawGet(server, '/missing.html')).status).toBe(404);
    expect((await rawGet(server, '/healthz')).status).toBe(200); // healthz wins over the folder
    const ws = await TestClient.welcomed(server.url, 'a'); // and WebSockets share the port
    ws.send({ type: 'ping' });
    await ws.next('pong');
  });

  it('refuses traversal, encoded traversal, NUL bytes and symlinks out of the root', async () => {
    const server = await startServer({ staticDir: site });
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt', '/%00', '/index.html%00.js', '/%E0%A4%A', '/escape.txt', '//etc/passwd']) {
      const response = await rawGet(server, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain('TOP SECRET');
    }
  });

  it('fails to start on a missing staticDir', async () => {
    await expect(startServer({ staticDir: join(base, 'nope') })).rejects.toThrow();
  });
});
