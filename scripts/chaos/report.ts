import type { Invariant } from './invariants.js';
import type { Kill } from './killer.js';
import type { ChaosOptions } from './options.js';
import type { Call } from './receiver.js';

/** Everything a run found, printed as text (or JSON). */
export interface ChaosReport {
  options: ChaosOptions;
  dataDir: string;
  /** Everything the server logged across its lives (in dataDir: kept when the run fails). */
  serverLog: string;
  /** What the servers of the run stored in: a SQLite file in dataDir, or a MongoDB database. */
  store: string;
  /** The run's MongoDB database (`--store mongo`), dropped after a passed run. */
  mongoDatabase?: string;
  kills: Kill[];
  /** Failed and rolled-back handoffs retried under their id after the first pass (acknowledged). */
  redrives: number;
  outcomes: Record<string, number>;
  calls: Call[];
  invariants: Invariant[];
  /** A run that could not finish (deadline, a server that would not start). */
  error: string | null;
  durationMs: number;
}

export function passed(report: ChaosReport): boolean {
  return (
    report.error === null && report.invariants.length > 0 && report.invariants.every((invariant) => invariant.held)
  );
}

function callSummary(calls: Call[]): string {
  const byAction = new Map<string, { calls: number; failed: number }>();
  for (const call of calls) {
    const entry = byAction.get(call.action) ?? { calls: 0, failed: 0 };
    entry.calls++;
    if (call.answered !== 200) entry.failed++;
    byAction.set(call.action, entry);
  }
  return [...byAction]
    .map(([action, { calls: made, failed }]) => `${action} ${made} (${failed} answered 503)`)
    .join(', ');
}

const NAME_WIDTH = 62;

export function formatReport(report: ChaosReport): string {
  const { options } = report;
  const lines = [
    `Handoff chaos — seed ${options.seed} (repeat with --seed ${options.seed})`,
    `  store          ${report.store}`,
    `  load           ${options.handoffs} handoffs, ${options.concurrency} initiates in flight, ${options.followed} followed over graphql-ws, ` +
      `${Math.round(options.cancelRate * 100)} % cancelled at a random moment, receiver failing ${Math.round(options.failureRate * 100)} % of calls (notify ${Math.round(Math.min(1, options.failureRate * 2.5) * 100)} %)`,
    `  kills          ${report.kills.length} of ${options.kills} × 2 SIGKILL, after ${report.kills.map((kill) => `${kill.afterAcknowledged}${kill.duringRedrives ? ' redrives' : ''}`).join(', ') || '—'} acknowledged; ` +
      `down ${report.kills.map((kill) => `${(kill.downMs / 1000).toFixed(1)} s`).join(', ') || '—'}`,
    `  redrives       ${report.redrives} failed or rolled-back handoffs retried under their id after the first pass, with kills among them`,
    `  outcomes       ${
      Object.entries(report.outcomes)
        .map(([status, count]) => `${count} ${status}`)
        .join(', ') || '—'
    }`,
    `  webhook calls  ${callSummary(report.calls) || 'none'}`,
    '  invariants',
    ...report.invariants.map(
      (invariant) => `    ${invariant.held ? '✓' : '✗'} ${invariant.name.padEnd(NAME_WIDTH)}  ${invariant.detail}`,
    ),
  ];
  if (report.error) lines.push(`  error          ${report.error}`);
  if (!passed(report)) lines.push(`  server log     ${report.serverLog}`);
  lines.push(`  ${passed(report) ? 'PASSED' : 'FAILED'} in ${(report.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

export function reportJson(report: ChaosReport): string {
  const { calls, ...rest } = report;
  return JSON.stringify({ ...rest, passed: passed(report), webhookCalls: calls.length }, null, 2);
}
