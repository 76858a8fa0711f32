import { type GraphQLSchema, getNamedType, isInputObjectType } from 'graphql';
import { type FlatFilterField, flatFilterFields, flatFilterParameters } from './flat-filters.js';

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { $ref?: string; type?: string; [key: string]: unknown };
  style?: string;
  explode?: boolean;
  description?: string;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
}

export interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, { type?: string; properties?: Record<string, Record<string, unknown>> }> };
}

const refName = (ref: string | undefined): string | undefined => ref?.replace('#/components/schemas/', '');

type SchemaObject = { type?: string; properties?: unknown; $ref?: string; items?: SchemaObject; description?: string };

/** SOFA's schema for an input object nested in another: a bare `object`, which generators type as `{}`. */
const isBareObject = (value: SchemaObject | undefined): boolean =>
  value?.type === 'object' && value.properties === undefined && value.$ref === undefined;

/**
 * Points each input object nested in an input type (a start's `overrides`, a filter's `createdAt`) at
 * its own component, so a generated client knows its fields.
 */
function refNestedInputObjects(document: OpenApiDocument, schema: GraphQLSchema): void {
  const schemas = document.components?.schemas ?? {};
  for (const [name, component] of Object.entries(schemas)) {
    const type = schema.getType(name);
    if (!isInputObjectType(type) || !component.properties) continue;
    for (const [fieldName, property] of Object.entries(component.properties as Record<string, SchemaObject>)) {
      const field = type.getFields()[fieldName];
      const target = field && getNamedType(field.type).name;
      if (!target || !(target in schemas)) continue;
      const ref = { $ref: `#/components/schemas/${target}` };
      if (isBareObject(property)) {
        (component.properties as Record<string, SchemaObject>)[fieldName] = {
          ...ref,
          description: property.description,
        };
      } else if (property.type === 'array' && isBareObject(property.items)) {
        property.items = ref;
      }
    }
  }
}

/**
 * Reshapes SOFA's OpenAPI document into what client generators (openapi-typescript + openapi-fetch)
 * call as generated, in place:
 * - a mutation (POST) takes its input as the JSON body only: SOFA also declared it a required query
 *   parameter, so a generated client demanded it twice;
 * - a list's `filter` becomes one query parameter per filter field (see flat-filters.ts);
 * - an object in the query string is described as deepObject (`orderBy[field]=…`), how it is read.
 * Returns, per path template, the filter fields its flat parameters name.
 */
export function reshapeOpenApi(document: OpenApiDocument, schema: GraphQLSchema): Map<string, FlatFilterField[]> {
  refNestedInputObjects(document, schema);
  const flatFilters = new Map<string, FlatFilterField[]>();
  for (const [template, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      if (method === 'post') operation.parameters = (operation.parameters ?? []).filter((p) => p.in !== 'query');
      if (method !== 'get') continue;
      const parameters = operation.parameters ?? [];
      const filter = parameters.find((p) => p.in === 'query' && p.name === 'filter');
      const typeName = refName(filter?.schema?.$ref);
      if (filter && typeName) {
        const fields = flatFilterFields(schema, typeName);
        const taken = new Set(parameters.filter((p) => p !== filter).map((p) => p.name));
        if (fields.length > 0 && fields.every((field) => !taken.has(field.name))) {
          const flat = flatFilterParameters(
            fields,
            document.components?.schemas?.[typeName],
            document.components?.schemas ?? {},
          );
          operation.parameters = [...parameters.filter((p) => p !== filter), ...flat];
          flatFilters.set(template, fields);
        }
      }
      for (const parameter of operation.parameters ?? []) {
        const target = document.components?.schemas?.[refName(parameter.schema?.$ref) ?? ''];
        if (parameter.in === 'query' && (target?.type === 'object' || parameter.schema?.type === 'object')) {
          parameter.style = 'deepObject';
          parameter.explode = true;
        }
      }
    }
  }
  return flatFilters;
}
