import { MapperKind, mapSchema, pruneSchema } from '@graphql-tools/utils';
import {
  type GraphQLFieldConfig,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';

/** The GraphQL root fields REST serves, each as one route (see RestApi). */
export const REST_FIELDS = {
  query: [
    'handoff',
    'handoffs',
    'procedure',
    'procedures',
    'validationSession',
    'validationSessions',
    'reliabilityTest',
    'reliabilityTests',
  ],
  mutation: [
    'initiateHandoff',
    'cancelHandoff',
    'signalHandoff',
    'startValidationSession',
    'startReliabilityTest',
    'cancelReliabilityTest',
  ],
} as const;

const implementsNode = (type: GraphQLNamedType): boolean =>
  isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');

/**
 * Whether a resource's REST representation keeps `field`. REST routes select every field of what they
 * return (SOFA builds one operation per root field), so the view trims what would make that selection
 * a graph walk: fields that take arguments (paginated sub-lists such as a handoff's events, which
 * would also turn into query parameters of every route) and, inside a resource (a `Node`), a single
 * other resource (a handoff's procedure or agents), which REST names by its plain id (`procedureId`,
 * `sourceAgent`) and serves at its own route.
 */
function keptInResource(parent: GraphQLNamedType, field: GraphQLFieldConfig<unknown, unknown>): boolean {
  if (field.args && Object.keys(field.args).length > 0) return false;
  const named = getNamedType(field.type);
  const single = !isListType(getNullableType(field.type));
  return !(implementsNode(parent) && implementsNode(named) && single);
}

/**
 * The schema REST is generated from: the REST_FIELDS roots, no subscriptions (SOFA would serve them
 * as webhooks that POST to any URL a caller names), and resources trimmed by keptInResource. Every
 * field it keeps is the served schema's own, so the operations built from it run on the served schema.
 */
export function restView(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Map<string, readonly string[]>([
    [schema.getQueryType()!.name, REST_FIELDS.query],
    [schema.getMutationType()!.name, REST_FIELDS.mutation],
  ]);
  const subscription = schema.getSubscriptionType()?.name;
  const view = mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) => (type.name === subscription ? null : type),
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const root = roots.get(typeName);
      if (root) return root.includes(fieldName) ? field : null;
      return keptInResource(schema.getType(typeName)!, field) ? field : null;
    },
  });
  return pruneSchema(view);
}
