/**
 * `npm run bench`: every benchmark, each part in its own Node process (fresh heap, --expose-gc),
 * one table on stdout, and the same as JSON in bench/results/. BENCH_QUICK=1 for a smoke run.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PartResult, QUICK, type Row, RUNS } from './support/common.js';
import { BENCH_MAX_CONCURRENT } from './support/engine-harness.js';
import { SERVER_FLAGS, TSX } from './support/spawn.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PARTS = [
  'query',
  'engine',
  'kernel',
  'graphs',
  'insight',
  'webhooks',
  'agent-tasks',
  'fanout',
  'n-plus-one',
  'memory',
  'scale',
  'feed',
  'peer',
  'dashboard',
  'overview',
];
const only = process.env.BENCH_ONLY?.split(',');

function runPart(name: string): Promise<PartResult & { seconds: number }> {
  const out = path.join(os.tmpdir(), `handoff-bench-${process.pid}-${name}.json`);
  const started = performance.now();
  process.stderr.write(`▶ ${name}\n`);
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--expose-gc', ...SERVER_FLAGS, ...TSX, path.join(here, 'parts', `${name}.ts`)],
      // NODE_ENV as `npm start` sets it: the parts measure the server as it is deployed.
      { env: { NODE_ENV: 'production', ...process.env, BENCH_OUT: out }, maxBuffer: 1 << 24 },
      (error) => {
        if (error) return reject(new Error(`benchmark ${name} failed: ${error.message}`));
        const result = JSON.parse(fs.readFileSync(out, 'utf8')) as PartResult;
        fs.rmSync(out, { force: true });
        resolve({ ...result, seconds: Math.round((performance.now() - started) / 1000) });
      },
    );
    child.stderr?.pipe(process.stderr);
  });
}

/** The commit measured, marked `-dirty` when the tree had changes: figures belong to a tree, not a branch name. */
function commitMeasured(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: here,
      encoding: 'utf8',
    });
    return dirty.trim() ? `${head}-dirty` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function machine() {
  const cpu =
    fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpu,
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

function table(rows: Row[]): string {
  const lines = rows.map((row) => [
    row.section,
    row.name,
    `${row.value.toLocaleString('en-US')} ${row.unit}`,
    row.ratio !== undefined ? `${row.ratio} × ${row.reference}` : '',
    row.goal ? `${row.met ? '✔' : '✘'} ${row.goal}` : '',
    [row.runs && row.runs.length > 1 ? `runs ${row.runs.join(' / ')}` : '', row.note ?? ''].filter(Boolean).join('; '),
  ]);
  const header = ['part', 'figure', 'value (median)', 'ratio', 'goal', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join(' │ ')
      .trimEnd();
  return [format(header), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...lines.map(format)].join('\n');
}

const started = new Date();
const commit = commitMeasured();
const loadAtStart = os.loadavg();
const parts: Record<string, unknown> = {};
const rows: Row[] = [];
for (const name of PARTS.filter((part) => !only || only.includes(part))) {
  const result = await runPart(name);
  rows.push(...result.rows);
  parts[name] = { seconds: result.seconds, details: result.details };
}

const stores = [
  'memory',
  'file',
  process.env.BENCH_FERRETDB === '0' ? null : 'FerretDB (MongoDB adapter) when Go or FERRETDB_BIN is here',
].filter(Boolean);
const host = machine();
console.log(
  `\nHandoff benchmarks — ${host.cpu}, ${host.cores} cores, Node ${process.version}; ` +
    `${QUICK ? 'QUICK smoke run' : `median of ${RUNS} runs`}; MAX_CONCURRENT_HANDOFFS=${BENCH_MAX_CONCURRENT}; stores: ${stores.join(', ')}\n`,
);
console.log(table(rows));

const results = path.join(here, 'results');
fs.mkdirSync(results, { recursive: true });
const suffix = `${QUICK ? '-quick' : ''}${only ? `-only-${only.join('-')}` : ''}`;
const file = path.join(results, `${started.toISOString().replace(/[:.]/g, '-')}${suffix}.json`);
fs.writeFileSync(
  file,
  `${JSON.stringify({ startedAt: started.toISOString(), commit, loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() }, seconds: Math.round((Date.now() - started.getTime()) / 1000), quick: QUICK, runs: RUNS, maxConcurrentHandoffs: BENCH_MAX_CONCURRENT, stores, machine: host, rows, parts }, null, 2)}\n`,
);
console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
