import {
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isLeafType,
  isListType,
} from 'graphql';

/**
 * A list route's `filter` as the query parameters OpenAPI client generators write by default: each
 * field of the filter is a parameter of its own — `status=RUNNING&status=FAILED` for a list (form,
 * exploded), `agent=agent_2` for a value, `createdAt[from]=…` for an object of plain values
 * (deepObject, one level). Nested lists of objects and JSON values (`metadata`) are a JSON string.
 * The REST layer turns them back into the `filter` SOFA reads (`filter=<JSON>`), so the GraphQL
 * operation is unchanged; `filter[status]=…` as before still works.
 */

type Kind = 'value' | 'list' | 'object' | 'json';

export interface FlatFilterField {
  name: string;
  kind: Kind;
  /** The GraphQL type of the value (or of each item), for reading the text back as JSON. */
  leaf: string;
  description: string | undefined;
}

function kindOf(type: GraphQLInputType): Kind {
  const bare = getNullableType(type);
  if (isListType(bare)) return isLeafType(getNamedType(bare)) && getNamedType(bare).name !== 'JSON' ? 'list' : 'json';
  if (isInputObjectType(bare)) {
    const plain = Object.values(bare.getFields()).every(
      (field) => isLeafType(getNullableType(field.type)) && getNamedType(field.type).name !== 'JSON',
    );
    return plain ? 'object' : 'json';
  }
  return getNamedType(bare).name === 'JSON' ? 'json' : 'value';
}

/** The fields of the input type `typeName` as flat query parameters. */
export function flatFilterFields(schema: GraphQLSchema, typeName: string): FlatFilterField[] {
  const type = schema.getType(typeName);
  if (!isInputObjectType(type)) return [];
  return Object.values(type.getFields()).map((field: GraphQLInputField) => ({
    name: field.name,
    kind: kindOf(field.type),
    leaf: getNamedType(field.type).name,
    description: field.description ?? undefined,
  }));
}

/** Query text as the JSON value GraphQL expects for a value of type `leaf`. */
function fromQueryText(text: string, leaf: string): unknown {
  if (leaf === 'Boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (leaf === 'Int' || leaf === 'Float')
    return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  return text;
}

export class FilterParameterError extends Error {}

/**
 * The filter the flat parameters of `query` name (null when none does), and the query without them.
 * Throws FilterParameterError for a JSON parameter that is not JSON, or flat parameters next to
 * `filter` itself.
 */
export function collectFlatFilter(
  query: URLSearchParams,
  fields: readonly FlatFilterField[],
): { filter: Record<string, unknown> | null; rest: URLSearchParams } {
  const rest = new URLSearchParams();
  const filter: Record<string, unknown> = {};
  const byName = new Map(fields.map((field) => [field.name, field]));
  for (const [key, text] of query) {
    const bracket = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
    const field = byName.get(bracket ? bracket[1] : key);
    if (!field) {
      rest.append(key, text);
      continue;
    }
    if (bracket && field.kind === 'object') {
      const object = (filter[field.name] as Record<string, unknown> | undefined) ?? {};
      object[bracket[2]] = text;
      filter[field.name] = object;
    } else if (field.kind === 'list') {
      const list = (filter[field.name] as unknown[] | undefined) ?? [];
      list.push(fromQueryText(text, field.leaf));
      filter[field.name] = list;
    } else if (field.kind === 'json') {
      try {
        filter[field.name] = JSON.parse(text);
      } catch {
        throw new FilterParameterError(`The query parameter ${field.name} must be JSON, e.g. ${field.name}=[...]`);
      }
    } else if (!bracket) {
      filter[field.name] = fromQueryText(text, field.leaf);
    } else rest.append(key, text);
  }
  const found = Object.keys(filter).length > 0;
  if (found && [...rest.keys()].some((key) => key === 'filter' || key.startsWith('filter[')))
    throw new FilterParameterError('Give the filter either as its own parameters (status=…) or as filter, not both');
  return { filter: found ? filter : null, rest };
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Record<string, unknown>;
  style?: string;
  explode?: boolean;
  description?: string;
}

/**
 * The OpenAPI parameters for the flat filter fields, with their schemas taken from the document's
 * components (an object field names its own component: SOFA inlines it as a bare `object`).
 */
export function flatFilterParameters(
  fields: readonly FlatFilterField[],
  filterSchema: { properties?: Record<string, Record<string, unknown>> } | undefined,
  components: Record<string, unknown>,
): OpenApiParameter[] {
  return fields.map((field) => {
    const inline = filterSchema?.properties?.[field.name] ?? {};
    const schema =
      field.kind === 'object' && field.leaf in components
        ? { $ref: `#/components/schemas/${field.leaf}`, description: inline.description }
        : inline;
    const description = field.description ?? (schema.description as string | undefined);
    switch (field.kind) {
      case 'list':
        return { name: field.name, in: 'query', required: false, schema, style: 'form', explode: true, description };
      case 'object':
        return {
          name: field.name,
          in: 'query',
          required: false,
          schema,
          style: 'deepObject',
          explode: true,
          description,
        };
      case 'json':
        return {
          name: field.name,
          in: 'query',
          required: false,
          schema: { type: 'string' },
          description: `${description ?? ''} As JSON text.`.trim(),
        };
      default:
        return { name: field.name, in: 'query', required: false, schema, description };
    }
  });
}
