import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// An offer's description: a sentence or two under its title on the checkout page, and what links shared
// on social media say of it ('' for none).
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'offers', [['description', 'text', (c) => c.notNull().defaultTo('')]]);
}
