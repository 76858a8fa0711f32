import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateDashboardTypes } from '../../scripts/dashboard-codegen.js';

describe("the dashboard's typed operations", () => {
  it('are what codegen makes of schema.graphql and the operations (run `npm run dashboard:codegen` after changing either)', async () => {
    const files = await generateDashboardTypes();
    expect(files.size).toBeGreaterThan(0);
    for (const [file, content] of files) expect(fs.readFileSync(file, 'utf8'), file).toBe(content);
  });
});
