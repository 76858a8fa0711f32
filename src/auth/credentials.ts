/**
 * Where a caller's API key travels: the `Authorization: Bearer <key>` header over HTTP, and
 * graphql-ws `connectionParams` (`{ authorization: 'Bearer <key>' }` or `{ apiKey: '<key>' }`).
 */

/** The key from an Authorization header; '' when the header is present but not a Bearer credential. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (header === null || header === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : '';
}

/** The key from graphql-ws connection params; '' when something credential-shaped is there but unusable. */
export function connectionParamsKey(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  const header = params.authorization ?? params.Authorization;
  if (header !== undefined) return typeof header === 'string' ? bearerToken(header) : '';
  const headers = params.headers;
  if (headers && typeof headers === 'object') {
    const nested =
      (headers as Record<string, unknown>).authorization ?? (headers as Record<string, unknown>).Authorization;
    if (nested !== undefined) return typeof nested === 'string' ? bearerToken(nested) : '';
  }
  if (params.apiKey !== undefined) return typeof params.apiKey === 'string' ? params.apiKey : '';
  return undefined;
}
