import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDashboardAssets, withDashboard } from '../../src/http/dashboard-assets.js';
import { withServedPaths } from '../../src/http/served-paths.js';

/** The dashboard's files behind the same exact-path rule as every other endpoint. */
describe('dashboard assets', () => {
  let server: Server;
  let base: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-dashboard-assets-'));

  beforeAll(async () => {
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
    fs.writeFileSync(path.join(dir, 'assets/index-AbC123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'assets/index-AbC123.css'), 'body{}');
    const dashboard = loadDashboardAssets(dir, pino({ level: 'silent' }));
    const api = withDashboard(dashboard, (_req, res) => res.end('api'));
    server = createServer(withServedPaths(['/graphql', ...dashboard.paths], api));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page at / revalidated on every load, with a same-origin CSP and no framing', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>x</title>');
  });

  it('serves hashed assets with their content type, cached for a year', async () => {
    const script = await fetch(`${base}/assets/index-AbC123.js?v=1`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log(1)');
    expect((await fetch(`${base}/assets/index-AbC123.css`)).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
  });

  it('answers 404 to any other path (no prefix matching, no file system lookups), 405 to writes, and passes the API on', async () => {
    for (const target of [
      '/assets/other.js',
      '/assets/',
      '/assets/../index.html',
      '/index.html',
      '//',
      '/assets/index-AbC123.js/',
    ]) {
      expect((await fetch(`${base}${target}`)).status, target).toBe(404);
    }
    expect((await fetch(`${base}/`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect(await (await fetch(`${base}/graphql`)).text()).toBe('api');
  });

  it('answers 503 at / when the dashboard was not built, and nothing else changes', () => {
    const empty = loadDashboardAssets(path.join(dir, 'missing'), pino({ level: 'silent' }));
    expect(empty.paths).toEqual(['/']);
  });
});
