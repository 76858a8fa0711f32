import { lexicographicSortSchema } from 'graphql';
import { builder } from '../schema/builder.js';
import '../schema/scalars.js';
import '../schema/user-error.js';
import '../schema/enums.js';
import '../schema/procedure.js';
import './procedure.js';
import '../schema/agent.js';
import '../schema/validation.js';
import '../schema/metrics.js';
import './agent.js';
import './validation.js';
import './metrics.js';
import '../schema/handoff.js';
import '../schema/procedure-input.js';
import './handoff.js';
import './handoff-levers.js';
import '../schema/context-delivery.js';
import './agent-reads.js';
import './context-delivery.js';
import '../schema/agent-task.js';
import './agent-task.js';
import '../schema/agent-feed.js';
import './agent-feed.js';
import '../schema/reliability.js';
import './reliability.js';

/** The executable schema: every type family and its resolvers register themselves on import above. */
export const schema = lexicographicSortSchema(builder.toSchema());
