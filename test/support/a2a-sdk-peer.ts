/** The A2A peer of the tests: the example agent built with @a2a-js/sdk's server (examples/a2a-reviewer-agent.ts). */
import { type ReviewerAgent, startReviewerAgent } from '../../examples/a2a-reviewer-agent.js';

export type SdkPeer = ReviewerAgent;

/** Starts the peer on a free port of 127.0.0.1; `streaming` and `pushNotifications` are what its card declares. */
export function startSdkPeer(
  options: { streaming: boolean; pushNotifications?: boolean } = { streaming: true },
): Promise<SdkPeer> {
  return startReviewerAgent(options);
}
