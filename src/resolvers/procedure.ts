import { builder } from '../schema/builder.js';
import { ProcedureRef } from '../schema/procedure.js';
import { plainId } from './ids.js';

builder.queryFields((t) => ({
  procedures: t.field({
    type: [ProcedureRef],
    description: 'Every procedure, by id.',
    authScopes: { viewer: true },
    resolve: async (_root, _args, context) => {
      const procedures = await context.engine.procedures.list();
      for (const procedure of procedures) context.loaders.procedures.prime(procedure.id, procedure);
      return procedures;
    },
  }),
  procedure: t.field({
    type: ProcedureRef,
    nullable: true,
    description: 'One procedure by its plain id (e.g. PHASE_TRANSITION_STANDARD) or global id; null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'Plain or global id.' }) },
    resolve: (_root, args, context) => context.loaders.procedures.load(plainId(String(args.id), 'Procedure')),
  }),
}));
