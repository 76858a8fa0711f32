import type { Plugin } from 'graphql-yoga';

/**
 * `GET <endpoint>` answers 200 when `isReady` resolves true and 503 otherwise (false or a throw).
 * Yoga's own readiness plugin matches every request against a URLPattern when its cheap checks miss,
 * which showed up in the query benchmark's profile; comparing the path is all this endpoint needs.
 */
export function useReadiness(endpoint: string, isReady: () => Promise<boolean>): Plugin {
  return {
    onRequest({ url, fetchAPI, endResponse }) {
      if (url.pathname !== endpoint) return undefined;
      return isReady().then(
        (ready) => endResponse(new fetchAPI.Response(null, { status: ready ? 200 : 503 })),
        () => endResponse(new fetchAPI.Response(null, { status: 503 })),
      );
    },
  };
}
