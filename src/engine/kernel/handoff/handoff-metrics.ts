import type { HandoffSummary } from '../ports/handoff-store.js';
import { type HandoffStatus, type HandoffType, isFinal } from './handoff.js';

export interface GroupMetrics {
  total: number;
  finished: number;
  succeeded: number;
  successRate: number;
  averageDurationMs: number | null;
}

export interface HandoffMetrics extends GroupMetrics {
  running: number;
  paused: number;
  failed: number;
  rolledBack: number;
  rollbackFailed: number;
  cancelled: number;
  byStatus: { status: HandoffStatus; count: number }[];
  byType: ({ type: HandoffType } & GroupMetrics)[];
  byProcedure: ({ procedureId: string } & GroupMetrics)[];
}

const sum = (rows: HandoffSummary[], value: (row: HandoffSummary) => number) =>
  rows.reduce((total, row) => total + value(row), 0);
const count = (rows: HandoffSummary[]) => sum(rows, (row) => row.count);

function group(rows: HandoffSummary[]): GroupMetrics {
  const finished = rows.filter((row) => isFinal(row.status));
  const succeeded = finished.filter((row) => row.status === 'COMPLETED');
  const timed = sum(succeeded, (row) => row.durationCount);
  return {
    total: count(rows),
    finished: count(finished),
    succeeded: count(succeeded),
    // Cancelled handoffs were stopped on purpose: they count neither for nor against success.
    successRate: ratio(count(succeeded), count(finished.filter((row) => row.status !== 'CANCELLED'))),
    averageDurationMs: timed ? Math.round(sum(succeeded, (row) => row.durationMsSum) / timed) : null,
  };
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function groupBy<K extends string>(rows: HandoffSummary[], key: (row: HandoffSummary) => K): Map<K, HandoffSummary[]> {
  const groups = new Map<K, HandoffSummary[]>();
  for (const row of rows) {
    const members = groups.get(key(row));
    if (members) members.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

/** Totals, success rate (completed ÷ finished, cancels aside), rollbacks and durations, from grouped counts. */
export function handoffMetrics(rows: HandoffSummary[]): HandoffMetrics {
  const inStatus = (status: HandoffStatus) => count(rows.filter((row) => row.status === status));
  const all = group(rows);
  return {
    ...all,
    running: all.total - all.finished - inStatus('PAUSED'),
    paused: inStatus('PAUSED'),
    failed: inStatus('FAILED') + inStatus('ROLLED_BACK') + inStatus('ROLLBACK_FAILED'),
    rolledBack: inStatus('ROLLED_BACK'),
    rollbackFailed: inStatus('ROLLBACK_FAILED'),
    cancelled: inStatus('CANCELLED'),
    byStatus: [...groupBy(rows, (row) => row.status)].map(([status, members]) => ({ status, count: count(members) })),
    byType: [...groupBy(rows, (row) => row.type)].map(([type, members]) => ({ type, ...group(members) })),
    byProcedure: [...groupBy(rows, (row) => row.procedureId)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([procedureId, members]) => ({ procedureId, ...group(members) })),
  };
}
