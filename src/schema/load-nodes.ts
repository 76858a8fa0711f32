import type { GraphQLContext } from '../context.js';

/**
 * How `node(id:)`/`nodes(ids:)` fetch objects of one node type by plain id, in the order asked (null when
 * unknown). The schema declares node types with it as a parameter; the resolvers layer supplies it, so no
 * schema file reaches the engine.
 */
export type LoadNodes<T> = (ids: string[], context: GraphQLContext) => Promise<readonly (T | null)[]>;
