import {
  type ASTNode,
  type DocumentNode,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  getNullableType,
  getOperationAST,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Items any list argument may hold (statuses, ids, steps, rule ids…): more than any real use, far less than a stall. */
export const MAX_LIST_ITEMS = 200;

function tooLong(what: string, items: number, max: number, nodes?: ASTNode): GraphQLError {
  return new GraphQLError(`${what} has ${items} items; a list argument may have at most ${max}`, {
    nodes,
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/** Literal lists in the operation text, checked once per document (Yoga caches validation). */
function listLiteralRule(max: number): ValidationRule {
  return (context) => ({
    ListValue(node) {
      // A JSON scalar's literal is data, not a list argument: only values whose input type is a list count.
      // (TypeInfo has already stepped into the list here: its own type is the parent input type.)
      const type = context.getParentInputType();
      if (type && isListType(getNullableType(type)) && node.values.length > max)
        context.reportError(tooLong('A list', node.values.length, max, node));
    },
  });
}

/**
 * The first list in a variable's value (walked along its input type, not its JSON: a JSON scalar's
 * arrays are data) that is longer than `max`, as a path, or null. The type bounds the recursion.
 */
function longList(
  value: unknown,
  type: GraphQLInputType,
  max: number,
  path: string,
): { path: string; items: number } | null {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return longList(value, type.ofType, max, path);
  if (isListType(type)) {
    if (!Array.isArray(value)) return longList(value, type.ofType, max, path);
    if (value.length > max) return { path, items: value.length };
    for (let index = 0; index < value.length; index++) {
      const found = longList(value[index], type.ofType, max, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (isInputObjectType(type) && typeof value === 'object' && !Array.isArray(value)) {
    for (const field of Object.values(type.getFields())) {
      if (!Object.hasOwn(value, field.name)) continue;
      const found = longList((value as Record<string, unknown>)[field.name], field.type, max, `${path}.${field.name}`);
      if (found) return found;
    }
  }
  return null;
}

function variableProblem(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: unknown,
  max: number,
): GraphQLError | null {
  if (typeof variables !== 'object' || variables === null) return null;
  for (const definition of getOperationAST(document, operationName)?.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    const name = definition.variable.name.value;
    if (!type || !Object.hasOwn(variables, name)) continue;
    const found = longList((variables as Record<string, unknown>)[name], type, max, `$${name}`);
    if (found) return tooLong(`Variable ${found.path}`, found.items, max);
  }
  return null;
}

/**
 * Bounds every list argument at `max` items, literal or in variables, before anything reads it:
 * a viewer's filter with 60,000 ids cost the store query, the variable coercion and the plain-id
 * decoding of each one, all on the event loop. Variables are checked before graphql-js coerces them.
 */
export function useListLengthLimit(max = MAX_LIST_ITEMS): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(listLiteralRule(max));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const problem = variableProblem(args.schema, args.document, args.operationName, args.variableValues, max);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = variableProblem(args.schema, args.document, args.operationName, args.variableValues, max);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
  };
}
