import type { RequestListener } from 'node:http';
import { refuse } from './refuse.js';

/**
 * Serves exactly `paths` and answers 404 to anything else, before Yoga sees the request.
 *
 * Yoga matches its GraphQL endpoint loosely (a URL that merely *ends* with `/graphql`, or the path with
 * a trailing slash), so `/graphql/`, `//graphql` and `/x/graphql` all reached GraphQL while every
 * guard keyed on the exact path (JSON-only POSTs, API keys) let them through. Serving one path per
 * endpoint makes the guards' view and Yoga's the same. The path is compared as sent, before `?`.
 * `alsoServes` admits paths that are not fixed, such as REST routes with an id in them; it must be
 * exact too (the guards use the same test).
 */
export function withServedPaths(
  paths: readonly string[],
  handler: RequestListener,
  alsoServes: (path: string) => boolean = () => false,
): RequestListener {
  const served = new Set(paths);
  return (req, res) => {
    const target = req.url ?? '';
    const query = target.indexOf('?');
    const path = query === -1 ? target : target.slice(0, query);
    if (served.has(path) || alsoServes(path)) return handler(req, res);
    refuse(res, 404, 'NOT_FOUND', `Nothing is served at this path; GraphQL is at ${paths[0]}`);
  };
}
