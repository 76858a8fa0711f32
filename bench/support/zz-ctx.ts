import { pino } from 'pino';
import { Headers } from '@whatwg-node/fetch';
import { operationIdentity } from '../../src/http/operation-identity.js';
import { ApiKeyRing } from '../../src/auth/api-key-ring.js';
import { createLoaders } from '../../src/resolvers/loaders.js';
const logger = pino({ level: 'silent' });
const keys = new ApiKeyRing([]);
const engine = {} as any;
const initial = { request: { headers: new Headers({ 'content-type': 'application/json', host: 'x' }) } };
for (let r = 0; r < 5; r++) {
  let t = performance.now();
  for (let i = 0; i < 100000; i++) operationIdentity(keys, logger, initial as any);
  const a = (performance.now() - t) * 10;
  t = performance.now();
  for (let i = 0; i < 100000; i++) createLoaders(engine);
  console.log('identity', (a / 1000).toFixed(2), 'us; loaders', ((performance.now() - t) / 100).toFixed(3), 'us');
}
