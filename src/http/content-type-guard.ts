import type { Plugin } from 'graphql-yoga';

/** Media types a GraphQL POST may carry. */
const ACCEPTED = ['application/json', 'application/graphql+json'];

/**
 * Every POST must be JSON, whatever its path. Form and text bodies are what a hostile web page can
 * send cross-site without a CORS preflight, so refusing them (415) keeps an open local server from
 * being driven by any site its user visits. Yoga takes GraphQL from any path it considers its
 * endpoint (see withServedPaths), so the guard does not look at the path at all.
 */
export function useJsonOnlyPosts(): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'POST') return;
      const mediaType = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (ACCEPTED.includes(mediaType)) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [
              {
                message: `Unsupported content type "${mediaType.slice(0, 100)}": send application/json`,
                extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
              },
            ],
          }),
          { status: 415, headers: { 'content-type': 'application/json; charset=utf-8' } },
        ),
      );
    },
  };
}
