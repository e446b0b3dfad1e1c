import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// A member's profile in the hub: a short bio, up to three links (a JSON array of http(s) URLs) and an
// avatar (an uploaded image, re-encoded like every image). Their name is the account's.
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'users', [
    ['bio', 'text', (c) => c.notNull().defaultTo('')],
    ['links', 'text', (c) => c.notNull().defaultTo('[]')],
    ['avatar_path', 'text'],
  ]);
}
