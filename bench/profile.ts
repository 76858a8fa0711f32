/**
 * `npm run bench:profile`: runs the engine-throughput loop under `node --cpu-prof` and prints
 * where the CPU went (self time by function and by package/file). BENCH_STORE=stub profiles
 * the loop on the Map-backed ceiling store instead of the in-memory SQLite store, BENCH_STORE=file
 * on a SQLite file (the embedded store). `npm run bench:profile -- http` profiles the server side of
 * `initiateHandoff` over HTTP on the file store (bench/support/http-probe.ts; the load generator runs unprofiled).
 * The .cpuprofile is kept in bench/results/profiles/ (open it in Chrome DevTools).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_FLAGS, TSX } from './support/spawn.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, 'results', 'profiles');
fs.mkdirSync(dir, { recursive: true });
const before = new Set(fs.readdirSync(dir));
const mode = process.argv[2] ?? 'engine';
const targets: Record<string, string> = { query: 'query-loop.ts', bare: 'query-loop.ts', http: 'http-probe.ts' };
const target = targets[mode] ?? 'engine-loop.ts';
execFileSync(
  process.execPath,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...SERVER_FLAGS, ...TSX, path.join(here, 'support', target), mode],
  { stdio: 'inherit' },
);
const file = fs.readdirSync(dir).find((name) => !before.has(name) && name.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile;

const selfTime = new Map<number, number>();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const time = selfTime.get(node.id) ?? 0;
  total += time;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = (url || '(native)')
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, 'node_modules/')
    .replace(`${path.dirname(here)}/`, '');
  const fn = `${functionName || '(anonymous)'}  ${where}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + time);
  const parts = where.split('/');
  const place = where.startsWith('node_modules/') ? parts.slice(0, parts[1].startsWith('@') ? 3 : 2).join('/') : where;
  byPlace.set(place, (byPlace.get(place) ?? 0) + time);
}
const top = (map: Map<string, number>, n: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, time]) => `${((100 * time) / total).toFixed(1).padStart(5)}%  ${key}`)
    .join('\n');
console.log(
  `\nSelf time by function (top 25) — ${path.relative(process.cwd(), path.join(dir, file))}\n${top(byFunction, 25)}`,
);
console.log(`\nSelf time by package / file (top 15)\n${top(byPlace, 15)}`);
