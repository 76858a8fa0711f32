import { createContext, useContext } from 'react';
import type { ViewerQuery } from '../gql/graphql';

export type Viewer = NonNullable<ViewerQuery['viewer']>;

/** What a role may do, as the server's scopes say (operator: run handoffs and tests; admin: definitions). */
const RANK = { AGENT: 0, VIEWER: 1, OPERATOR: 2, ADMIN: 3 } as const;

export type Right = 'operate' | 'administer';

export function allows(viewer: Viewer | null, right: Right): boolean {
  if (!viewer) return false;
  return RANK[viewer.role] >= (right === 'operate' ? RANK.OPERATOR : RANK.ADMIN);
}

export const ViewerContext = createContext<{ viewer: Viewer | null; signOut: () => void }>({
  viewer: null,
  signOut: () => undefined,
});

/** True when the caller's role allows `right`: the page hides what it does not (the server refuses it anyway). */
export function useAllows(right: Right): boolean {
  return allows(useContext(ViewerContext).viewer, right);
}
