import { isFinal, type HandoffStatus, type HandoffType } from './handoff.js';

export interface HandoffSummary {
  status: HandoffStatus;
  type: HandoffType;
  procedureId: string;
  durationMs: number | null;
}

export interface GroupMetrics {
  total: number;
  finished: number;
  succeeded: number;
  successRate: number;
  averageDurationMs: number | null;
}

export interface HandoffMetrics extends GroupMetrics {
  running: number;
  failed: number;
  rolledBack: number;
  rollbackFailed: number;
  cancelled: number;
  byStatus: { status: HandoffStatus; count: number }[];
  byType: ({ type: HandoffType } & GroupMetrics)[];
  byProcedure: ({ procedureId: string } & GroupMetrics)[];
}

function group(rows: HandoffSummary[]): GroupMetrics {
  const finished = rows.filter((row) => isFinal(row.status));
  const succeeded = finished.filter((row) => row.status === 'COMPLETED');
  const durations = succeeded.map((row) => row.durationMs).filter((ms): ms is number => ms !== null);
  return {
    total: rows.length,
    finished: finished.length,
    succeeded: succeeded.length,
    // Cancelled handoffs were stopped on purpose: they count neither for nor against success.
    successRate: ratio(succeeded.length, finished.filter((row) => row.status !== 'CANCELLED').length),
    averageDurationMs: durations.length ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) : null,
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

/** Totals, success rate (completed ÷ finished, cancels aside), rollbacks and durations. */
export function handoffMetrics(rows: HandoffSummary[]): HandoffMetrics {
  const count = (status: HandoffStatus) => rows.filter((row) => row.status === status).length;
  const all = group(rows);
  return {
    ...all,
    running: all.total - all.finished,
    failed: count('FAILED') + count('ROLLED_BACK') + count('ROLLBACK_FAILED'),
    rolledBack: count('ROLLED_BACK'),
    rollbackFailed: count('ROLLBACK_FAILED'),
    cancelled: count('CANCELLED'),
    byStatus: [...groupBy(rows, (row) => row.status)].map(([status, members]) => ({ status, count: members.length })),
    byType: [...groupBy(rows, (row) => row.type)].map(([type, members]) => ({ type, ...group(members) })),
    byProcedure: [...groupBy(rows, (row) => row.procedureId)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([procedureId, members]) => ({ procedureId, ...group(members) })),
  };
}
