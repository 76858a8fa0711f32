/**
 * Real handoffs to clone from: one run of each of a few four-step procedures, through a real engine
 * on a real embedded file, read back as the rows the native store wrote. The scale fixture copies
 * that file (procedures, rules, agents and all) and fills it with clones of these rows.
 */
import path from 'node:path';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import type { HandoffRow } from '../../src/store/sqlite/handoff-schema.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { closeEngine, finalEvents, NOOP_PROCEDURE_ID, openEngine } from './engine-harness.js';

/** A stored handoff as its columns hold it, and its events' bodies in seq order. */
export interface SampleHandoff {
  row: HandoffRow & {
    source_agent: string | null;
    target_agent: string | null;
    source_phase: string | null;
    test_id: string | null;
  };
  events: string[];
}

const AGENTS = { source: 'scale_agent_source', target: 'scale_agent_target' };

/** What each procedure's gates and validate steps need to pass, so every sample completes. */
const SAMPLE_RUNS = [
  {
    procedureId: 'AGENT_HANDOFF_STANDARD',
    sourceAgent: AGENTS.source,
    targetAgent: AGENTS.target,
    handoffType: 'AGENT_HANDOFF' as const,
    metadata: {
      task: { id: 'TASK-4711', title: 'Summarise the quarterly incident reports', priority: 'high', due: '2026-12-01' },
      knowledge: {
        sources: ['wiki/incidents', 'tickets/2026-Q3'],
        notes: 'Two reports are still drafts; use the final ones.',
      },
    },
  },
  {
    procedureId: 'PHASE_TRANSITION_STANDARD',
    sourceAgent: AGENTS.source,
    targetAgent: AGENTS.target,
    sourcePhase: 'design',
    targetPhase: 'build',
    handoffType: 'PHASE_TRANSITION' as const,
    metadata: {
      phaseComplete: true,
      resources: [
        { name: 'design-doc', available: true },
        { name: 'figma-board', available: true },
      ],
      state: { milestone: 'M3', openQuestions: 0 },
      sourceStateChecksum: 'sha256:9f2c1e',
      targetStateChecksum: 'sha256:9f2c1e',
    },
  },
  {
    procedureId: NOOP_PROCEDURE_ID,
    sourceAgent: AGENTS.source,
    targetAgent: AGENTS.target,
    handoffType: 'TASK_DELEGATION' as const,
    metadata: { ticket: 'OPS-1234' },
  },
];

/** Runs the sample handoffs on a new embedded file in `dir`; returns their rows (the file stays, closed). */
export async function sampleHandoffs(dir: string): Promise<{ file: string; samples: SampleHandoff[] }> {
  const file = path.join(dir, EMBEDDED_FILE);
  const db = SqliteDatabase.open(file, { sync: 'NORMAL' });
  const engine = await openEngine(db);
  try {
    for (const [id, permission] of [
      [AGENTS.source, 'handoff:send'],
      [AGENTS.target, 'handoff:receive'],
    ]) {
      const registered = await engine.agents.register({ id, capabilities: ['bench'], permissions: [permission] });
      if (!registered.ok) throw new Error(`could not register ${id}`);
    }
    const finals = finalEvents(engine, SAMPLE_RUNS.length);
    for (const [index, run] of SAMPLE_RUNS.entries()) {
      const outcome = await engine.handoffs.initiate({ handoffId: `scale_sample_${index}`, ...run });
      if (!outcome.ok) throw new Error(`sample ${run.procedureId} rejected: ${JSON.stringify(outcome.errors)}`);
    }
    await finals.done;
    if (finals.failed() > 0) throw new Error(`${finals.failed()} sample handoffs did not complete`);
  } finally {
    await closeEngine(engine, db);
  }
  return { file, samples: await readSamples(file) };
}

async function readSamples(file: string): Promise<SampleHandoff[]> {
  const db = SqliteDatabase.open(file);
  try {
    const rows = db.connection.prepare('SELECT * FROM handoffs ORDER BY id').all() as SampleHandoff['row'][];
    const events = db.connection.prepare('SELECT body FROM handoff_events WHERE handoff_id = ? ORDER BY seq').pluck();
    return rows.map((row) => ({ row, events: events.all(row.id) as string[] }));
  } finally {
    await db.close();
  }
}
