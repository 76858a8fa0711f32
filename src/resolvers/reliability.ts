import { GraphQLError } from 'graphql';
import type { ReliabilityProgressEvent } from '../engine/reliability/reliability-test.js';
import { builder } from '../schema/builder.js';
import { pageArgs } from '../schema/connection.js';
import { MetricsRef } from '../schema/metrics.js';
import { ProcedureRef } from '../schema/procedure.js';
import {
  CancelReliabilityTestInput,
  ConfigPayload,
  CreateReliabilityTestConfigInput,
  implementReliabilityTestNode,
  ReliabilityMetricsRef,
  ReliabilityProgressEventRef,
  ReliabilityTestConfigRef,
  ReliabilityTestConnection,
  ReliabilityTestFilterInput,
  ReliabilityTestRef,
  StartReliabilityTestInput,
  TestPayload,
} from '../schema/reliability.js';
import '../schema/subscription-root.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { plainId } from './ids.js';
import { toPayload } from './payload.js';

builder.objectFields(ReliabilityTestRef, (t) => ({
  procedure: t.field({
    type: ProcedureRef,
    nullable: true,
    description: 'The procedure its iterations run (current version; see procedureVersion). Null if it was deleted.',
    resolve: (test, _args, context) => context.loaders.procedures.load(test.procedureId),
  }),
  config: t.field({
    type: ReliabilityTestConfigRef,
    nullable: true,
    description: 'The configuration it started from.',
    resolve: (test, _args, context) => context.loaders.reliabilityConfigs.load(test.configId),
  }),
}));

builder.objectFields(MetricsRef, (t) => ({
  reliability: t.field({
    type: ReliabilityMetricsRef,
    description: 'Reliability tests: how many ran and their average success rate.',
    resolve: (root, _args, context) => root.once('reliability', () => context.engine.reliability.metrics()),
  }),
}));

builder.queryFields((t) => ({
  reliabilityTestConfigs: t.field({
    type: [ReliabilityTestConfigRef],
    description: 'Test configurations: the six standard ones first, then custom ones, by id.',
    authScopes: { viewer: true },
    resolve: (_root, _args, context) => context.engine.reliability.listConfigs(),
  }),
  reliabilityTestConfig: t.field({
    type: ReliabilityTestConfigRef,
    nullable: true,
    description: 'One configuration by id; null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'The configuration id, e.g. RELIABILITY_STANDARD.' }) },
    resolve: (_root, args, context) => context.engine.reliability.getConfig(args.id),
  }),
  reliabilityTest: t.field({
    type: ReliabilityTestRef,
    nullable: true,
    description: 'One test by its plain or global id; null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'Plain or global id.' }) },
    resolve: (_root, args, context) => context.engine.reliability.get(plainId(String(args.id), 'ReliabilityTest')),
  }),
  reliabilityTests: t.field({
    type: ReliabilityTestConnection,
    description: 'Reliability tests, newest first.',
    authScopes: { viewer: true },
    args: {
      ...pageArgs(t.arg),
      filter: t.arg({ type: ReliabilityTestFilterInput, required: false, description: 'Narrow the list.' }),
    },
    resolve: async (_root, args, context) => {
      const filter = {
        statuses: args.filter?.status ?? undefined,
        types: args.filter?.type ?? undefined,
        configId: args.filter?.configId ?? undefined,
      };
      return connectionFromPage(
        () => context.engine.reliability.page(filter, pageRequest(args)),
        () => context.engine.reliability.count(filter),
      );
    },
  }),
}));

builder.mutationFields((t) => ({
  createReliabilityTestConfig: t.field({
    type: ConfigPayload,
    description: 'Defines a configuration. Out-of-range values and taken ids are userErrors.',
    authScopes: { admin: true },
    args: {
      input: t.arg({ type: CreateReliabilityTestConfigInput, required: true, description: 'The configuration.' }),
    },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.reliability.createConfig({
          ...input,
          failureRate: input.failureRate ?? undefined,
          stressFactor: input.stressFactor ?? undefined,
          ratePerSec: input.ratePerSec ?? undefined,
          windowMs: input.windowMs ?? undefined,
        }),
      ),
  }),
  startReliabilityTest: t.field({
    type: TestPayload,
    description:
      'Starts a test and returns it RUNNING: it provisions its own READY agents and a passing context, then runs real test-tagged handoffs. Follow it with reliabilityTestProgress.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: StartReliabilityTestInput, required: true, description: 'What to run.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.reliability.start({
          configId: input.configId,
          procedureId: input.procedureId ? plainId(String(input.procedureId), 'Procedure') : null,
          overrides: input.overrides ?? null,
          seed: input.seed ?? null,
        }),
      ),
  }),
  cancelReliabilityTest: t.field({
    type: TestPayload,
    description:
      'Stops releasing iterations and cancels the running ones; returns once the test is CANCELLED and none of its handoffs is running.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: CancelReliabilityTestInput, required: true, description: 'Which test.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(
        await context.engine.reliability.cancel(
          plainId(String(input.id), 'ReliabilityTest'),
          (input.reason ?? 'cancelled by request').slice(0, 500),
        ),
      ),
  }),
}));

builder.subscriptionFields((t) => ({
  reliabilityTestProgress: t.field({
    type: ReliabilityProgressEventRef,
    description: "A test's current progress first, then every change live; completes after the final status.",
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'Plain or global test id.' }) },
    subscribe: async (_root, args, context) => {
      const id = plainId(String(args.id), 'ReliabilityTest');
      const events = await context.engine.reliability.progress(id);
      if (!events) throw new GraphQLError(`No reliability test "${id}"`, { extensions: { code: 'NOT_FOUND' } });
      return events;
    },
    resolve: (event: ReliabilityProgressEvent) => event,
  }),
}));

implementReliabilityTestNode((ids, context) => context.engine.reliability.getMany(ids));
