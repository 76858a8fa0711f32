/**
 * `npm run schema` (last step): the REST API's OpenAPI document as TypeScript types, by openapi-typescript,
 * into examples/rest-client/generated/openapi.ts (committed, like schema.graphql; test/api/openapi-client.test.ts
 * fails when it is out of date). openapi-typescript 6: version 7 needs TypeScript 5's compiler API, and
 * this project compiles with TypeScript 7.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { restClientTypes } from './rest-client-types.js';

const FILE = fileURLToPath(new URL('../examples/rest-client/generated/openapi.ts', import.meta.url));
fs.writeFileSync(FILE, await restClientTypes());
process.stdout.write('wrote examples/rest-client/generated/openapi.ts\n');
