import type { Actor } from '../engine/shared/actor.js';
import { builder } from './builder.js';

export const ActorRef = builder.objectRef<Actor>('Actor').implement({
  description:
    'Who asked for a change through the API: an API key, and the agent it is bound to when it is an agent key.',
  fields: (t) => ({
    keyName: t.exposeString('keyName', {
      description: 'The API key\'s name ("anonymous" on an open server); never the key itself.',
    }),
    agentId: t.exposeString('agentId', {
      nullable: true,
      description: 'The agent the key is bound to; null for operator and admin keys.',
    }),
  }),
});
