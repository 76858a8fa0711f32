import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ApiKeyRing } from '../../auth/api-key-ring.js';
import { A2A_PUSH_PATH } from '../../engine/a2a/a2a-push-path.js';
import type { Engine } from '../../engine/engine.js';
import { json, readBody, rpcError } from './a2a-http.js';

export const AGENT_CARD_PATH = '/.well-known/agent-card.json';
export const A2A_PATH = '/a2a';
export { A2A_PUSH_PATH };

export interface A2AEndpointOptions {
  engine: Engine;
  keys: ApiKeyRing;
  /** A2A_PUBLIC_URL; null: the card names the host each request came to. */
  publicUrl: string | null;
  logger: Logger;
  /** How often an open stream sends a comment, so idle connections are not dropped by proxies. */
  keepAliveMs?: number;
  /** Aborts when the server closes: open streams and blocking sends end. */
  closing?: AbortSignal;
}

/**
 * Handoff as an A2A agent over HTTP: the Agent Card at AGENT_CARD_PATH (no key needed: it says
 * which key to present; its skills show only to a request that presents one), JSON-RPC at A2A_PATH
 * (a2a-routes.ts, loaded with the SDK on the first request that needs it), and the push notifications
 * of A2A agents the bridge follows at A2A_PUSH_PATH. Anything else goes to `next`.
 */
export function withA2A(options: A2AEndpointOptions, next: RequestListener): RequestListener {
  const { engine, logger } = options;
  let sdkRoutes: ReturnType<typeof loadRoutes> | null = null;
  const loadRoutes = () =>
    import('./a2a-routes.js').then(({ a2aRoutes }) => a2aRoutes(options, { endpoint: A2A_PATH }));
  const loaded = () => {
    sdkRoutes ??= loadRoutes();
    return sdkRoutes;
  };

  /**
   * A push notification from an A2A agent the bridge gave `<A2A_PUBLIC_URL>/a2a/push`: its token (the
   * secret in the push config, sent as X-A2A-Notification-Token) names the run, which then reads the
   * task from the agent; what the body says is not trusted. No API key: the token is the credential.
   */
  const servePush = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return json(res, 405, { error: 'POST only' }, { allow: 'POST' });
    await readBody(req);
    const token = req.headers['x-a2a-notification-token'];
    if (typeof token !== 'string' || !engine.a2aPush.nudge(token))
      return json(res, 401, { error: 'unknown notification token' });
    logger.debug({}, 'A2A push notification accepted');
    res.writeHead(204).end();
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    [AGENT_CARD_PATH]: async (req, res) => (await loaded()).serveCard(req, res),
    [A2A_PATH]: async (req, res) => (await loaded()).serveRpc(req, res),
    [A2A_PUSH_PATH]: servePush,
  };

  return (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return next(req, res);
    const work = route(req, res);
    work.catch((error) => {
      logger.error({ err: error, path }, 'A2A request failed');
      if (!res.headersSent) rpcError(res, 500, null, -32603, 'Internal error');
      else res.end();
    });
  };
}
