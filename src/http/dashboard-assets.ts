import fs from 'node:fs';
import type { RequestListener } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { refuse } from './refuse.js';

/** The dashboard's page at `/`; its hashed build files under `/assets/`. */
export const DASHBOARD_INDEX = '/';
const ASSETS_PREFIX = '/assets/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The page may load and talk to this server only: no framing, no plugins, nothing from elsewhere
 * ('self' covers this origin's ws:// too). Inline styles stay allowed because React and the chart
 * library set element styles; scripts never run inline.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

interface Asset {
  body: Buffer;
  headers: Record<string, string>;
}

/** What the dashboard build serves, by exact path; empty when it was not built. */
export interface DashboardAssets {
  paths: string[];
  serve: (path: string, req: Parameters<RequestListener>[0], res: Parameters<RequestListener>[1]) => void;
}

function assetOf(file: string, cacheControl: string): Asset {
  const body = fs.readFileSync(file);
  const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
  return {
    body,
    headers: {
      'content-type': type,
      'content-length': String(body.length),
      'cache-control': cacheControl,
      ...SECURITY_HEADERS,
    },
  };
}

/**
 * Reads the build in `dir` (vite's output: index.html and assets/) once at start-up, into memory:
 * it is a few hundred kilobytes, and a fixed set of exact paths keeps withServedPaths' rule (no
 * prefix matching, no file system lookups from a request's path). Hashed assets never change under
 * their name, so browsers keep them a year; the page itself is revalidated on every load.
 */
export function loadDashboardAssets(dir: string, logger: Logger): DashboardAssets {
  const assets = new Map<string, Asset>();
  try {
    readBuild(dir, assets);
  } catch (error) {
    // A build being rewritten (npm run dashboard:build meanwhile) must not stop the API from starting.
    assets.clear();
    logger.warn({ err: error, dir }, 'dashboard build unreadable: / answers 503');
  }
  if (assets.size === 0)
    logger.warn({ dir }, 'dashboard not built: / answers 503 until `npm run dashboard:build` (npm start builds it)');
  return {
    paths: assets.size > 0 ? [...assets.keys()] : [DASHBOARD_INDEX],
    serve: (assetPath, req, res) => {
      const asset = assets.get(assetPath);
      if (!asset)
        return refuse(
          res,
          503,
          'DASHBOARD_NOT_BUILT',
          'The dashboard was not built: run `npm run dashboard:build` (npm start does)',
        );
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return refuse(res, 405, 'METHOD_NOT_ALLOWED', 'The dashboard is read with GET', { allow: 'GET, HEAD' });
      res.writeHead(200, asset.headers);
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    },
  };
}

function readBuild(dir: string, assets: Map<string, Asset>): void {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) return;
  assets.set(DASHBOARD_INDEX, assetOf(index, 'no-cache'));
  const assetsDir = path.join(dir, 'assets');
  for (const name of fs.existsSync(assetsDir) ? fs.readdirSync(assetsDir) : []) {
    if (!/^[\w.-]+$/.test(name)) continue;
    assets.set(`${ASSETS_PREFIX}${name}`, assetOf(path.join(assetsDir, name), 'public, max-age=31536000, immutable'));
  }
}

/** Answers the dashboard's paths from its build and passes every other request on. */
export function withDashboard(dashboard: DashboardAssets, handler: RequestListener): RequestListener {
  const served = new Set(dashboard.paths);
  return (req, res) => {
    const target = req.url ?? '';
    const query = target.indexOf('?');
    const requested = query === -1 ? target : target.slice(0, query);
    if (served.has(requested)) return dashboard.serve(requested, req, res);
    handler(req, res);
  };
}
