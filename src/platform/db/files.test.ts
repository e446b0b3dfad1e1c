import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inboxFileOf, makePrivateFile, roleFileOf } from './files.ts';

describe('files beside a SQLite database', () => {
  it('are named after the database, with or without an extension', () => {
    expect(inboxFileOf('data/guildhall.sqlite')).toBe('data/guildhall.inbox.sqlite');
    expect(roleFileOf('data/guildhall.sqlite', 'inbox-drainer')).toBe('data/guildhall.inbox-drainer.lock');
    expect(inboxFileOf('/srv/app.db')).toBe('/srv/app.inbox.db');
    expect(roleFileOf('/srv/app.db', 'inbox-drainer')).toBe('/srv/app.inbox-drainer.lock');
    expect(inboxFileOf('/srv.d/db')).toBe('/srv.d/db.inbox');
    expect(roleFileOf('/srv.d/db', 'inbox-drainer')).toBe('/srv.d/db.inbox-drainer.lock');
    expect(inboxFileOf(':memory:')).toBe(':memory:');
  });

  it('are made readable by their owner only, new or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guildhall-files-'));
    try {
      const file = join(dir, 'a.lock');
      makePrivateFile(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      chmodSync(file, 0o644);
      makePrivateFile(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
