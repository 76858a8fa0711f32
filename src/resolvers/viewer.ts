import { ANONYMOUS_ADMIN } from '../auth/api-key-ring.js';
import { builder } from '../schema/builder.js';
import { ViewerRef } from '../schema/viewer.js';

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    nullable: true,
    description:
      'The caller: its key name and role. Null when the server requires API keys and none was presented (any caller may ask, so a client can tell it must ask for a key).',
    // An open server answers every caller as the one shared anonymous admin.
    resolve: (_root, _args, context) =>
      context.caller ? { ...context.caller, keysRequired: context.caller !== ANONYMOUS_ADMIN } : null,
  }),
}));
