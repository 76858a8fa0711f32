/**
 * `npm run dashboard:codegen`: the dashboard's typed operations, by GraphQL Code Generator's client
 * preset, from the committed schema.graphql and the operations in dashboard/src/operations/*.graphql.
 * Writes dashboard/src/gql/ (committed, like schema.graphql; `--check` fails when it is out of date).
 * Run through @graphql-codegen/core rather than the CLI: the CLI's loaders pull in packages that
 * declare Node 22, and this needs only files on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { preset } from '@graphql-codegen/client-preset';
import { codegen } from '@graphql-codegen/core';
import { buildSchema, parse, printSchema } from 'graphql';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPERATIONS_DIR = path.join(ROOT, 'dashboard/src/operations');
const OUTPUT_DIR = path.join(ROOT, 'dashboard/src/gql/');

export async function generateDashboardTypes(): Promise<Map<string, string>> {
  const schemaAst = buildSchema(fs.readFileSync(path.join(ROOT, 'schema.graphql'), 'utf8'));
  const documents = fs
    .readdirSync(OPERATIONS_DIR)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => {
      const location = path.join(OPERATIONS_DIR, name);
      const rawSDL = fs.readFileSync(location, 'utf8');
      return { location, rawSDL, document: parse(rawSDL) };
    });
  const config = {
    useTypeImports: true,
    // Enums as string unions: the dashboard's types vanish at build time.
    enumsAsTypes: true,
    scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
  };
  const outputs = await preset.buildGeneratesSection({
    baseOutputDir: OUTPUT_DIR,
    schema: parse(printSchema(schemaAst)),
    schemaAst,
    documents,
    config,
    presetConfig: { fragmentMasking: false },
    plugins: [],
    pluginMap: {},
  });
  const files = new Map<string, string>();
  for (const output of outputs)
    files.set(output.filename, await codegen({ ...output, config: { ...config, ...output.config } }));
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await generateDashboardTypes();
  const check = process.argv.includes('--check');
  let stale = 0;
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const [file, content] of files) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current === content) continue;
    stale += 1;
    if (check) process.stderr.write(`out of date: ${path.relative(ROOT, file)} (run npm run dashboard:codegen)\n`);
    else fs.writeFileSync(file, content);
  }
  process.stdout.write(
    check ? `${stale} stale file(s)\n` : `wrote ${files.size} file(s) to ${path.relative(ROOT, OUTPUT_DIR)}\n`,
  );
  if (check && stale > 0) process.exit(1);
}
