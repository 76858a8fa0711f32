import { builder } from './builder.js';

/** What a resolver returns for a connection: a page plus a lazy count, run only when `totalCount` is asked for. */
export interface CountedConnection {
  count: () => Promise<number>;
}

type ArgBuilder = Parameters<Parameters<typeof builder.queryFields>[0]>[0]['arg'];

/**
 * The arguments of every list: forward paging only. `last`/`before` are not offered at all (rather than offered and
 * refused), because every store pages by a keyset that only runs forward.
 */
export function pageArgs(arg: ArgBuilder) {
  return {
    first: arg.int({ required: false, description: 'Page size (default 20, at most 100).' }),
    after: arg.string({
      required: false,
      description: 'Return items after this cursor (an `endCursor` or edge `cursor`).',
    }),
  };
}

/**
 * Declares `<Item>Connection` and `<Item>Edge`, named after the item so every list of one type shares one type,
 * with the `totalCount` every connection carries.
 */
// biome-ignore lint/suspicious/noExplicitAny: any Pothos object ref; its type parameters differ per item
export function connectionType(itemRef: any, item: string, what: string, edgeDescription: string) {
  return builder.connectionObject(
    {
      type: itemRef,
      name: `${item}Connection`,
      description: `A page of ${what}.`,
      fields: (c) => ({
        totalCount: c.int({
          description: `How many ${what} match the filter in all.`,
          resolve: (connection) => (connection as unknown as CountedConnection).count(),
        }),
      }),
    },
    { name: `${item}Edge`, description: edgeDescription },
  );
}
