/**
 * Every typed client in the repository: its GraphQL operations (`.graphql` files, checked against the
 * committed schema.graphql) and the folder the client preset writes their types into. Add a target
 * here for a new client; `npm run codegen` writes them all and test/client-types.test.ts fails when
 * a committed folder differs from what its operations generate.
 */
export interface ClientTarget {
  /** Operation files, relative to the repository root. */
  documents: readonly string[];
  /** The generated folder, relative to the repository root, ending in `/`. */
  outDir: string;
}

export const CLIENT_TARGETS: readonly ClientTarget[] = [
  { documents: ['examples/typed-client/operations.graphql'], outDir: 'examples/typed-client/generated/' },
];
