/**
 * `npx tsx bench/results-table.ts bench/results/<run>.json`: one bench run's rows as the Markdown
 * table docs/benchmarks.md shows, so the page's figures are copied from a committed run, not retyped.
 */
import fs from 'node:fs';
import type { Row } from './support/common.js';

interface RunFile {
  startedAt: string;
  commit?: string;
  loadAverage?: { atStart: number[]; atEnd: number[] };
  machine: { cpu: string; cores: number; memoryGb: number; node: string };
  runs: number;
  rows: Row[];
}

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx bench/results-table.ts bench/results/<run>.json');
  process.exit(2);
}
const run = JSON.parse(fs.readFileSync(file, 'utf8')) as RunFile;
/** A pipe inside a cell would end it. */
const cell = (text: string) => text.replaceAll('|', '\\|');
const load = run.loadAverage
  ? `; load average ${run.loadAverage.atStart[0]!.toFixed(2)} at the start, ${run.loadAverage.atEnd[0]!.toFixed(2)} at the end`
  : '';
console.log(
  `${run.machine.cpu}, ${run.machine.cores} cores, ${run.machine.memoryGb} GB, Node ${run.machine.node}; ` +
    `started ${run.startedAt}; commit ${run.commit ?? 'not recorded'}; median of ${run.runs} runs${load}.\n`,
);
console.log('| Part | Figure | Median (runs) | Ratio | Goal |');
console.log('|---|---|---|---|---|');
for (const row of run.rows) {
  const runs =
    row.runs && row.runs.length > 1 ? ` (${row.runs.map((value) => value.toLocaleString('en-US')).join(' / ')})` : '';
  const ratio = row.ratio !== undefined ? `${row.ratio} × ${row.reference}` : '';
  const goal = row.goal ? `${row.met ? 'met' : '**not met**'}: ${row.goal}` : '';
  const figure = row.note ? `${row.name} (${row.note})` : row.name;
  console.log(
    `| ${cell(row.section)} | ${cell(figure)} | ${row.value.toLocaleString('en-US')} ${cell(row.unit)}${runs} | ${cell(ratio)} | ${cell(goal)} |`,
  );
}
