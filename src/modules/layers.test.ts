// Who may do what is decided in services, never in routes: a route reads the caller and hands it on.
// This holds every routes file to that, so a role check added to a route fails here, not in review.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const modules = import.meta.dirname;
const routeFiles = readdirSync(modules, { recursive: true, encoding: 'utf8' }).filter((file) =>
  file.endsWith('.routes.ts'),
);

describe('layers', () => {
  it('finds the routes files', () => {
    expect(routeFiles.length).toBeGreaterThan(8);
  });

  it.each(routeFiles)('%s checks no role', (file) => {
    const source = readFileSync(join(modules, file), 'utf8');
    expect(source).not.toMatch(/\brequireStaff\b|\bisStaffRole\b|\brequireOwner\b|\.role\s*[!=]==/);
  });
});
