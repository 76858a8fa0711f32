import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { pino } from 'pino';
import { createRestApi } from '../src/http/rest/rest-api.js';
import { schema } from '../src/resolvers/index.js';

/** What openapi-typescript makes of the OpenAPI document the server serves at /rest/openapi.json. */
export async function restClientTypes(): Promise<string> {
  const document = createRestApi(schema, pino({ level: 'silent' })).openApiDocument;
  return openapiTS(document as OpenAPI3);
}
