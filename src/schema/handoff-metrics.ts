import type { HandoffType } from '../engine/kernel/handoff/handoff.js';
import type { GroupMetrics, HandoffMetrics } from '../engine/kernel/handoff/handoff-metrics.js';
import { builder } from './builder.js';
import { HandoffStatusEnum, HandoffTypeEnum } from './handoff.js';

// biome-ignore lint/suspicious/noExplicitAny: a Pothos field builder shared by two object types of different parents
const groupFields = (t: any) => ({
  total: t.exposeInt('total', {
    description:
      'Handoffs initiated and still stored (retention, when configured, deletes old finished ones: see HANDOFF_RETENTION_MINUTES).',
  }),
  finished: t.exposeInt('finished', { description: 'Handoffs in a final status.' }),
  succeeded: t.exposeInt('succeeded', { description: 'Handoffs COMPLETED.' }),
  successRate: t.exposeFloat('successRate', {
    description: 'succeeded ÷ finished, cancelled ones left out; 0 when none finished.',
  }),
  averageDurationMs: t.exposeInt('averageDurationMs', {
    nullable: true,
    description: 'Mean duration of completed handoffs; null when none.',
  }),
});

const TypeMetricsRef = builder.objectRef<{ type: HandoffType } & GroupMetrics>('HandoffTypeMetrics').implement({
  description: 'Figures for one handoff type.',
  fields: (t) => ({
    type: t.field({ type: HandoffTypeEnum, description: 'The type.', resolve: (m) => m.type }),
    ...groupFields(t),
  }),
});

const ProcedureMetricsRef = builder
  .objectRef<{ procedureId: string } & GroupMetrics>('HandoffProcedureMetrics')
  .implement({
    description: 'Figures for one procedure.',
    fields: (t) => ({
      procedureId: t.exposeString('procedureId', { description: 'The plain procedure id.' }),
      ...groupFields(t),
    }),
  });

const StatusCountRef = builder.objectRef<HandoffMetrics['byStatus'][number]>('HandoffStatusCount').implement({
  description: 'How many handoffs are in one status.',
  fields: (t) => ({
    status: t.field({ type: HandoffStatusEnum, description: 'The status.', resolve: (m) => m.status }),
    count: t.exposeInt('count', { description: 'Handoffs in it.' }),
  }),
});

export const HandoffMetricsRef = builder.objectRef<HandoffMetrics>('HandoffMetrics').implement({
  description: 'Production handoffs (reliability-test traffic left out).',
  fields: (t) => ({
    ...groupFields(t),
    running: t.exposeInt('running', { description: 'Handoffs not yet final, PAUSED ones aside.' }),
    paused: t.exposeInt('paused', { description: 'PAUSED handoffs: stopped by pauseHandoff until resumeHandoff.' }),
    failed: t.exposeInt('failed', { description: 'FAILED, ROLLED_BACK or ROLLBACK_FAILED.' }),
    rolledBack: t.exposeInt('rolledBack', { description: 'ROLLED_BACK: failed and cleanly undone.' }),
    rollbackFailed: t.exposeInt('rollbackFailed', { description: 'ROLLBACK_FAILED: a compensation failed too.' }),
    cancelled: t.exposeInt('cancelled', { description: 'CANCELLED.' }),
    byStatus: t.field({ type: [StatusCountRef], description: 'Counts per status.', resolve: (m) => m.byStatus }),
    byType: t.field({ type: [TypeMetricsRef], description: 'Per handoff type.', resolve: (m) => m.byType }),
    byProcedure: t.field({
      type: [ProcedureMetricsRef],
      description: 'Per procedure, by id.',
      resolve: (m) => m.byProcedure,
    }),
  }),
});
