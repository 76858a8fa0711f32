import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Cost of a field that returns an object, and of one that returns a leaf (armor's weights). */
const OBJECT_COST = 2;
const LEAF_COST = 1;
/** Each level deeper weighs this much more (armor's factor): deep selections cost more than wide ones. */
const DEPTH_FACTOR = 1.5;

export interface PageCostOptions {
  maxCost: number;
  /** Items a connection returns when `first` is not given, and the most it returns (see resolvers/connection.ts). */
  defaultPageSize: number;
  maxPageSize: number;
}

/**
 * The cost of an operation with each list weighted by how many items it can return: a field that
 * takes `first` (every connection) costs its selection times the page size it will serve — `first`
 * as written, or from the variables, or the default page when it is left out. graphql-armor's own
 * cost counts `first` only when it is a literal, so `procedures(first: $n)` and a plain
 * `procedures { … }` would each count as one item; here they count as the page they return.
 * Fragments count where they are spread. The operation is valid by now (depth, tokens, no cycles),
 * so the walk is bounded; each fragment's cost is computed once per depth.
 */
export function pageCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  options: PageCostOptions,
): number {
  return weighPages(schema, document, operationName, variables, options).cost;
}

/** The page-weighted cost, and whether it read a variable (else it is the same whatever the variables). */
function weighPages(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  options: PageCostOptions,
): { cost: number; readVariables: boolean } {
  let readVariables = false;
  const operation = getOperationAST(document, operationName);
  if (!operation) return { cost: 0, readVariables };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const fragmentCosts = new Map<string, number>();

  const pageSize = (value: ValueNode | undefined): number => {
    let first: unknown = options.defaultPageSize;
    if (value?.kind === Kind.INT) first = Number(value.value);
    else if (value?.kind === Kind.VARIABLE) {
      readVariables = true;
      first = variables[value.name.value] ?? options.defaultPageSize;
    }
    return typeof first === 'number' && Number.isFinite(first)
      ? Math.max(1, Math.min(first, options.maxPageSize))
      : options.defaultPageSize;
  };

  const selectionCost = (set: SelectionSetNode, parent: GraphQLNamedType, depth: number): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue; // introspection is not data
        const field = fieldOf(parent, selection.name.value);
        if (!field) continue;
        if (!selection.selectionSet) {
          cost += LEAF_COST;
          continue;
        }
        const takesFirst = field.args.some((arg) => arg.name === 'first');
        const first = selection.arguments?.find((arg) => arg.name.value === 'first')?.value;
        const items = takesFirst ? pageSize(first) : 1;
        const inner = selectionCost(selection.selectionSet, getNamedType(field.type), depth + 1);
        cost += (OBJECT_COST + DEPTH_FACTOR * inner) * items;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += selectionCost(selection.selectionSet, on ?? parent, depth);
      } else {
        const key = `${selection.name.value}@${depth}`;
        let spread = fragmentCosts.get(key);
        if (spread === undefined) {
          const fragment = fragments.get(selection.name.value);
          const on = fragment && schema.getType(fragment.typeCondition.name.value);
          spread = fragment && on ? selectionCost(fragment.selectionSet, on, depth) : 0;
          fragmentCosts.set(key, spread);
        }
        cost += spread;
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return { cost: root ? selectionCost(operation.selectionSet, root, 0) : 0, readVariables };
}

function fieldOf(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function refusal(cost: number, max: number): GraphQLError {
  return new GraphQLError(
    `Query Cost limit of ${max} exceeded, found ${Math.round(cost)}: lists count as the page they return (ask for a smaller first, or fewer fields)`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

/**
 * Refuses, before it runs, an operation whose page-weighted cost (pageCost) is above `maxCost`: a
 * viewer asking for 100 procedures with every step of each is turned away as a whole, instead of
 * building an answer of megabytes. Checked at execution, where the variables are known, on every
 * transport (HTTP, SSE, graphql-ws, REST).
 */
export function usePageCost(options: PageCostOptions): Plugin {
  // Yoga's parser cache hands the same document object to every request with the same text, so a cost
  // that reads no variable is worked out once per document, schema and operation, not on every request.
  const known = new WeakMap<DocumentNode, Map<string | null, { schema: GraphQLSchema; cost: number }>>();
  const costOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown>,
  ): number => {
    const byOperation = known.get(document);
    const remembered = byOperation?.get(operationName ?? null);
    if (remembered && remembered.schema === schema) return remembered.cost;
    const { cost, readVariables } = weighPages(schema, document, operationName, variables, options);
    if (!readVariables) {
      if (byOperation) byOperation.set(operationName ?? null, { schema, cost });
      else known.set(document, new Map([[operationName ?? null, { schema, cost }]]));
    }
    return cost;
  };
  const check = (args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    variableValues?: Record<string, unknown> | null;
  }): GraphQLError | null => {
    const cost = costOf(args.schema, args.document, args.operationName, args.variableValues ?? {});
    return cost > options.maxCost ? refusal(cost, options.maxCost) : null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = check(args);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = check(args);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
  };
}
