import type { HandoffParent, StepBranch } from '../engine/kernel/handoff/handoff.js';
import { type ForEach, JOIN_MODES, JOIN_OTHERS, type Join } from '../engine/kernel/procedures/procedure.js';
import { builder } from './builder.js';
import { enumValues } from './enum-values.js';

/** The types of procedures as graphs: joins, steps run once per item, branches, sub-handoffs' parents. */

export const JoinModeEnum = builder.enumType('JoinMode', {
  description: 'How many of the steps a step waits for (or of its branches) must have succeeded.',
  values: enumValues(JOIN_MODES, {
    ALL: 'Every one (the default). One that failed means the join can never be met.',
    ANY: 'Any one.',
    N_OF: '`count` of them, e.g. 2 of 3 reviewers.',
  }),
});

export const JoinOthersEnum = builder.enumType('JoinOthers', {
  description: 'What becomes of the steps (or branches) still open once a join is met.',
  values: enumValues(JOIN_OTHERS, {
    CANCEL: 'They are cancelled (CANCELLED), unless another step still waits for them. The default.',
    FINISH: 'They go on to their end; the handoff completes once they have.',
  }),
});

export const JoinRef = builder.objectRef<Join>('Join').implement({
  description: 'When a step that waits for several others (or its branches) may go on.',
  fields: (t) => ({
    mode: t.field({ type: JoinModeEnum, description: 'All, any, or N of them.', resolve: (j) => j.mode }),
    count: t.int({ nullable: true, description: 'For N_OF: how many.', resolve: (j) => j.count ?? null }),
    others: t.field({ type: JoinOthersEnum, description: 'What happens to the others.', resolve: (j) => j.others }),
  }),
});

export const JoinInput = builder.inputType('JoinInput', {
  description:
    'When a step may go on: once ALL (default), ANY or N_OF (count) of what it waits for succeeded; and whether the others are cancelled (default) or finish.',
  fields: (t) => ({
    mode: t.field({ type: JoinModeEnum, required: false, description: 'Default ALL.' }),
    count: t.int({ required: false, description: 'For N_OF: how many, at most the number it waits for.' }),
    others: t.field({ type: JoinOthersEnum, required: false, description: 'Default CANCEL.' }),
  }),
});

export const ForEachRef = builder.objectRef<ForEach>('ForEach').implement({
  description: 'A step run once per item of a list read when it starts; each item is a branch.',
  fields: (t) => ({
    items: t.exposeString('items', {
      description:
        "Where the list is: a path into the context (context.reviewers) or an earlier step's output (outputs.plan.agents).",
    }),
    maxConcurrent: t.int({
      nullable: true,
      description: "Branches started and not finished at once (null: the procedure's maxParallelSteps).",
      resolve: (f) => f.maxConcurrent ?? null,
    }),
    join: t.field({
      type: JoinRef,
      nullable: true,
      description: 'How many branches must succeed (null: all).',
      resolve: (f) => f.join ?? null,
    }),
  }),
});

export const ForEachInput = builder.inputType('ForEachInput', {
  description:
    'Runs the step once per item of a list. Its params take the item through placeholders, whole values only: "$item", "$item.<field>" (dotted), "$index". Each branch is a step <id>[<index>] with its own attempts, retries, waits, signals and compensation.',
  fields: (t) => ({
    items: t.string({
      required: true,
      description:
        'A path into the context ("context.reviewers") or into the output of a step this one waits for ("outputs.plan.agents").',
    }),
    maxConcurrent: t.int({ required: false, description: 'Branches at once, 1–100 (default: maxParallelSteps).' }),
    join: t.field({
      type: JoinInput,
      required: false,
      description:
        'How many branches must succeed for the step to succeed (default ALL), and what becomes of the others.',
    }),
  }),
});

export const StepBranchRef = builder.objectRef<StepBranch>('StepBranch').implement({
  description: 'Which item a branch of a step run once per item is for.',
  fields: (t) => ({
    of: t.exposeString('of', { description: 'The id of the step it is a branch of.' }),
    index: t.exposeInt('index', { description: "The item's position in the list (the branch's id is <of>[<index>])." }),
    item: t.field({ type: 'JSON', nullable: true, description: 'The item.', resolve: (b) => b.item ?? null }),
  }),
});

export const HandoffParentRef = builder.objectRef<HandoffParent>('HandoffParent').implement({
  description: 'The handoff, and its step, that started this one as a sub-handoff.',
  fields: (t) => ({
    handoffId: t.exposeString('handoffId', { description: "The parent's handoffId." }),
    stepId: t.exposeString('stepId', { description: 'The SUB_HANDOFF step (or branch) that started it.' }),
  }),
});
