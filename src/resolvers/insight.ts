import { GraphQLError } from 'graphql';
import { DEFAULT_SERIES_POINTS, type SeriesResolution } from '../engine/insight/series-query.js';
import type { Outcome } from '../engine/shared/user-error.js';
import { builder } from '../schema/builder.js';
import { HandoffRef } from '../schema/handoff.js';
import {
  HandoffEtaRef,
  InsightSeriesRef,
  InsightStatusRef,
  SeriesResolutionEnum,
  StepSeriesPointRef,
} from '../schema/insight-series.js';
import {
  ApplyProcedureAdviceInput,
  ApplyProcedureAdvicePayload,
  ProcedureAdviceRef,
} from '../schema/procedure-advice.js';
import { plainId } from './ids.js';
import { toPayload } from './payload.js';

/** A query's mistake (a range too wide, an unknown procedure) as the GraphQL error clients expect of a query. */
function valueOrError<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  const [first] = outcome.errors;
  throw new GraphQLError(first.message, { extensions: { code: 'BAD_USER_INPUT', userErrorCode: first.code } });
}

function epochMs(value: Date | null | undefined): number | null {
  return value ? value.getTime() : null;
}

builder.queryFields((t) => ({
  insightSeries: t.field({
    type: InsightSeriesRef,
    description:
      'Stored time series of production handoffs (every one, or one procedure’s) over a range: counts, durations, queue wait and depth per point. Readable from the moment a server starts; kept when retention deletes handoffs.',
    authScopes: { viewer: true },
    args: {
      from: t.arg({
        type: 'DateTime',
        required: false,
        description: `Start of the range; default ${DEFAULT_SERIES_POINTS} points before \`to\` (the last hour, at MINUTE).`,
      }),
      to: t.arg({ type: 'DateTime', required: false, description: 'End of the range (exclusive); default now.' }),
      resolution: t.arg({
        type: SeriesResolutionEnum,
        required: false,
        defaultValue: 'MINUTE',
        description: 'The width of each point.',
      }),
      procedureId: t.arg.id({ required: false, description: 'One procedure’s series (plain or global id).' }),
    },
    resolve: async (_root, args, context) =>
      valueOrError(
        await context.engine.insight.series({
          from: epochMs(args.from),
          to: epochMs(args.to),
          resolution: (args.resolution ?? 'MINUTE') as SeriesResolution,
          procedureId: args.procedureId ? plainId(String(args.procedureId), 'Procedure') : null,
        }),
      ),
  }),
  stepSeries: t.field({
    type: [StepSeriesPointRef],
    description:
      "One step's attempts, failures, timeouts and durations over a range (every traffic, reliability tests included).",
    authScopes: { viewer: true },
    args: {
      procedureId: t.arg.id({ required: true, description: 'The procedure (plain or global id).' }),
      version: t.arg.int({ required: true, description: 'Its version.' }),
      stepId: t.arg.string({ required: true, description: 'The step.' }),
      from: t.arg({
        type: 'DateTime',
        required: false,
        description: `Start of the range; default ${DEFAULT_SERIES_POINTS} points before \`to\`.`,
      }),
      to: t.arg({ type: 'DateTime', required: false, description: 'End of the range (exclusive); default now.' }),
      resolution: t.arg({
        type: SeriesResolutionEnum,
        required: false,
        defaultValue: 'MINUTE',
        description: 'The width of each point.',
      }),
    },
    resolve: async (_root, args, context) =>
      valueOrError(
        await context.engine.insight.stepSeries(
          { procedureId: plainId(String(args.procedureId), 'Procedure'), version: args.version, stepId: args.stepId },
          {
            from: epochMs(args.from),
            to: epochMs(args.to),
            resolution: (args.resolution ?? 'MINUTE') as SeriesResolution,
          },
        ),
      ),
  }),
  insightStatus: t.field({
    type: InsightStatusRef,
    description: 'Where the background fold that writes the series and statistics stands.',
    authScopes: { viewer: true },
    resolve: async (_root, _args, context) => {
      const { insight, clock } = context.engine;
      const state = await insight.foldState();
      const foldedThrough = state && state.cursor !== null ? state.foldedThrough : null;
      return {
        enabled: insight.enabled,
        foldedThrough,
        lagMs: foldedThrough === null ? null : Math.max(0, clock.now() - foldedThrough),
      };
    },
  }),
  procedureAdvice: t.field({
    type: ProcedureAdviceRef,
    description: `Timeout and retry advice for each step of a procedure's current version (or \`version\`), each with the numbers behind it and its sample counts.`,
    authScopes: { viewer: true },
    args: {
      procedureId: t.arg.id({ required: true, description: 'The procedure (plain or global id).' }),
      version: t.arg.int({ required: false, description: 'A version; default the current one.' }),
    },
    resolve: async (_root, args, context) =>
      valueOrError(await context.engine.insight.advice(plainId(String(args.procedureId), 'Procedure'), args.version)),
  }),
}));

builder.objectFields(HandoffRef, (t) => ({
  eta: t.field({
    type: HandoffEtaRef,
    nullable: true,
    description:
      'How long it has left (median and p90), learned from completed handoffs of its version; null when it is not PENDING, RUNNING or WAITING, or too few have completed.',
    resolve: async (handoff, _args, context) => {
      const eta = await context.engine.insight.eta(handoff);
      return eta ? { ...eta, now: context.engine.clock.now() } : null;
    },
  }),
  slow: t.boolean({
    description: 'Running slower than the p99 of completed handoffs of its version (see eta.slow); false when unknown.',
    resolve: async (handoff, _args, context) => (await context.engine.insight.eta(handoff))?.slow ?? false,
  }),
}));

builder.mutationFields((t) => ({
  applyProcedureAdvice: t.field({
    type: ApplyProcedureAdvicePayload,
    description:
      "Stores the procedure's current version with the advised timeouts, attempts and back-offs as a new version (running handoffs keep theirs). Operators may: it changes nothing but what the advice names.",
    authScopes: { operator: true },
    args: { input: t.arg({ type: ApplyProcedureAdviceInput, required: true, description: 'Which advice.' }) },
    resolve: async (_root, { input }, context) => {
      const id = plainId(String(input.procedureId), 'Procedure');
      const outcome = await context.engine.insight.applyAdvice(id, input.expectedVersion, input.stepIds ?? null);
      if (outcome.ok) context.loaders.procedures.clear(id);
      return toPayload(outcome.ok ? { ok: true, value: outcome.value.procedure } : outcome);
    },
  }),
}));
