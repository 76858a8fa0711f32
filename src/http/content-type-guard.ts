import type { Plugin } from 'graphql-yoga';

/** Media types a GraphQL POST may carry. */
const ACCEPTED = ['application/json', 'application/graphql+json'];

/**
 * POSTs to the GraphQL endpoint must be JSON. Form and text bodies are what a hostile web page
 * can send cross-site without a CORS preflight, so refusing them (415) keeps an open local server
 * from being driven by any site its user visits.
 */
export function useJsonOnlyPosts(graphqlEndpoint: string): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (request.method !== 'POST' || url.pathname !== graphqlEndpoint) return;
      const mediaType = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (ACCEPTED.includes(mediaType)) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [{ message: `Unsupported content type "${mediaType.slice(0, 100)}": send application/json`, extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }],
          }),
          { status: 415, headers: { 'content-type': 'application/json; charset=utf-8' } },
        ),
      );
    },
  };
}
