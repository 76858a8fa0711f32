import type { Plugin } from 'graphql-yoga';

/**
 * `GET <endpoint>` answers 200 when `isReady` resolves true and 503 otherwise (false or a throw), with
 * `{ "status": "ready" | "unavailable", ...details }` as JSON (what the store is, how changes are followed).
 * Yoga's own readiness plugin matches every request against a URLPattern when its cheap checks miss,
 * which showed up in the query benchmark's profile; comparing the path is all this endpoint needs.
 */
export function useReadiness(
  endpoint: string,
  isReady: () => Promise<boolean>,
  details: Record<string, string> = {},
): Plugin {
  return {
    onRequest({ url, fetchAPI, endResponse }) {
      if (url.pathname !== endpoint) return undefined;
      const answer = (ready: boolean) =>
        endResponse(
          new fetchAPI.Response(JSON.stringify({ status: ready ? 'ready' : 'unavailable', ...details }), {
            status: ready ? 200 : 503,
            headers: { 'content-type': 'application/json' },
          }),
        );
      return isReady().then(answer, () => answer(false));
    },
  };
}
