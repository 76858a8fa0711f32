/**
 * Why a MongoDB suite is skipped here, or null when it runs. Suites on MongoDB run when MONGODB_URL
 * names a server (the CI script starts FerretDB for them); without one they are skipped and say
 * why. With HANDOFF_REQUIRE_MONGODB=1 (the CI script sets it) a missing server fails the suite
 * instead: CI never passes with MongoDB tests skipped.
 */
export function mongoSkipReason(env: Record<string, string | undefined> = process.env): string | null {
  if (env.MONGODB_URL) return null;
  if (env.HANDOFF_REQUIRE_MONGODB) throw new Error('HANDOFF_REQUIRE_MONGODB is set, but MONGODB_URL is not');
  return 'set MONGODB_URL to run it; `scripts/ferretdb/with-ferretdb.ts npm test` starts FerretDB for it';
}

/** The same for suites that start, stop and restart a FerretDB of their own (FERRETDB_BIN: its binary). */
export function ferretdbSkipReason(env: Record<string, string | undefined> = process.env): string | null {
  if (env.FERRETDB_BIN) return null;
  if (env.HANDOFF_REQUIRE_MONGODB) throw new Error('HANDOFF_REQUIRE_MONGODB is set, but FERRETDB_BIN is not');
  return 'set FERRETDB_BIN to run it; `scripts/ferretdb/with-ferretdb.ts npm test` builds FerretDB and sets it';
}
