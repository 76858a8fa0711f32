import { builder } from './builder.js';

// Imported by every module that adds subscription fields (a schema needs at least one).
builder.subscriptionType({
  description: 'Live progress, over graphql-ws (ws://HOST/graphql) or server-sent events on the same path.',
});
