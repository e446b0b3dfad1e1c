// The webhook inbox's own rules (billing.inbox.ts, purchase.repository.ts): a delivery is taken in
// once, a resend of one not yet applied makes it due again, claims keep two drainers apart until they
// run out, and the drainer applies what is due, fails loudly to whoever waits for it, and lets go only
// after the batch in hand. What applying an event does is in stripe-billing.test.ts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BATCH_SIZE, createWebhookInbox } from '../../src/modules/purchases/billing.inbox.ts';
import {
  type ClaimedEvent,
  claimStripeEvents,
  markInboxApplied,
  pruneStripeInbox,
  receiveStripeEvents,
  stripeInboxCounts,
} from '../../src/modules/purchases/purchase.repository.ts';
import { manualClock } from '../../src/platform/clock.ts';
import { type Database, inboxOf, processRole } from '../../src/platform/db/database.ts';
import { inboxFileOf, roleFileOf } from '../../src/platform/db/files.ts';
import { eventually } from '../support/eventually.ts';
import { createTestDatabase } from '../support/test-app.ts';

const require = createRequire(import.meta.url);
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let inbox: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  inbox = inboxOf(database.db);
});
afterAll(async () => database.cleanup());
// Each test starts from an empty inbox, whatever ran before it.
beforeEach(async () => {
  await inbox.deleteFrom('stripeInbox').execute();
});

let sequence = 0;
function entry(type = 'customer.subscription.updated') {
  sequence += 1;
  return {
    id: `evt_inbox_${sequence}`,
    type,
    kind: 'account' as const,
    account: null,
    objectId: `sub_${sequence}`,
    relatedId: null,
  };
}

async function row(id: string) {
  return inbox.selectFrom('stripeInbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A started-less drainer that always holds its role (PostgreSQL's way), writing with `prepareBatch`. */
function loneDrainer(
  clock: ReturnType<typeof manualClock>,
  prepareBatch: (events: ClaimedEvent[]) => Promise<() => Promise<void>>,
) {
  return createWebhookInbox({
    db: inbox,
    clock,
    logger: { error: () => {} } as never,
    role: { exclusive: false, tryTake: async () => true, release: async () => {} },
    prepareBatch,
  });
}

describe('the inbox', () => {
  it('is a file of its own beside a SQLite database, and the database itself on PostgreSQL', () => {
    if (database.engine === 'sqlite' && database.config.database.kind === 'sqlite') {
      expect(inbox).not.toBe(database.db);
      expect(existsSync(inboxFileOf(database.config.database.file))).toBe(true);
      expect(inboxFileOf(join('data', 'guildhall.sqlite'))).toBe(join('data', 'guildhall.inbox.sqlite'));
      expect(inboxFileOf('/srv/db')).toBe('/srv/db.inbox');
    } else {
      expect(inbox).toBe(database.db);
    }
  });

  it('takes a delivery in once; a resend makes a pending or given-up event due again, an applied one changes nothing', async () => {
    const event = entry();
    await receiveStripeEvents(inbox, [event], 1_000);
    await inbox
      .updateTable('stripeInbox')
      .set({ dueAt: 9_000, attempts: 2 })
      .where('id', '=', event.id)
      .execute();
    await receiveStripeEvents(inbox, [event], 2_000);
    // Due at once, its retries (and the three days before it is given up) counted anew.
    expect(await row(event.id)).toMatchObject({
      receivedAt: 2_000,
      dueAt: 2_000,
      attempts: 0,
      appliedAt: null,
    });
    await markInboxApplied(inbox, [event.id], 3_000);
    await receiveStripeEvents(inbox, [event], 4_000);
    expect(await row(event.id)).toMatchObject({ dueAt: null, appliedAt: 3_000 });
    expect(await stripeInboxCounts(inbox)).toEqual({ pending: 0, givenUp: 0, oldestPendingAt: null });
  });

  it('takes deliveries that came together in one write: an event twice among them once, an applied one unchanged', async () => {
    const [applied, fresh, twice] = [entry(), entry(), entry()];
    await receiveStripeEvents(inbox, [applied], 1_000);
    await markInboxApplied(inbox, [applied.id], 1_500);
    await receiveStripeEvents(inbox, [fresh, twice, applied, twice], 2_000);
    expect(await row(fresh.id)).toMatchObject({ receivedAt: 2_000, dueAt: 2_000, appliedAt: null });
    expect(await row(twice.id)).toMatchObject({ receivedAt: 2_000, dueAt: 2_000, appliedAt: null });
    expect(await row(applied.id)).toMatchObject({ receivedAt: 1_000, dueAt: null, appliedAt: 1_500 });
    await receiveStripeEvents(inbox, [], 3_000);
    // More than one statement takes.
    const many = Array.from({ length: 1_200 }, () => entry());
    await receiveStripeEvents(inbox, many, 4_000);
    const taken = await inbox
      .selectFrom('stripeInbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(
        'id',
        'in',
        many.map((event) => event.id),
      )
      .executeTakeFirstOrThrow();
    expect(Number(taken.n)).toBe(1_200);
  });

  it('forgets applied and given-up events after a while, never pending ones', async () => {
    const [applied, givenUp, pending, recent] = [entry(), entry(), entry(), entry()];
    for (const event of [applied, givenUp, pending]) await receiveStripeEvents(inbox, [event], 5_000);
    await receiveStripeEvents(inbox, [recent], 9_000);
    await markInboxApplied(inbox, [applied.id, recent.id], 9_500);
    await inbox.updateTable('stripeInbox').set({ dueAt: null }).where('id', '=', givenUp.id).execute();
    expect(await pruneStripeInbox(inbox, 8_000)).toBe(2);
    const left = await inbox
      .selectFrom('stripeInbox')
      .select('id')
      .where('id', 'in', [applied.id, givenUp.id, pending.id, recent.id])
      .execute();
    expect(left.map((row) => row.id).sort()).toEqual([pending.id, recent.id].sort());
  });

  it('claims each due event for one drainer until the claim runs out', async () => {
    const events = [entry(), entry(), entry()];
    for (const [index, event] of events.entries()) await receiveStripeEvents(inbox, [event], 10_000 + index);
    const first = await claimStripeEvents(inbox, 20_000, 22_000, 2);
    expect(first.map((event) => event.id)).toEqual([events[0]?.id, events[1]?.id]);
    const second = await claimStripeEvents(inbox, 20_500, 23_000, 10);
    expect(second.map((event) => event.id)).toEqual([events[2]?.id]);
    expect(await claimStripeEvents(inbox, 21_000, 23_000, 10)).toEqual([]);
    // The first drainer died: its claim runs out and another takes its events.
    const again = await claimStripeEvents(inbox, 22_001, 24_000, 10);
    expect(again.map((event) => event.id).sort()).toEqual([events[0]?.id, events[1]?.id].sort());
  });

  it('is drained by one started process at a time; a killed drainer lets the role go at once', async () => {
    const first = processRole(database.db, 'test-role');
    const second = processRole(database.db, 'test-role');
    expect(first.exclusive).toBe(true);
    expect(await first.tryTake()).toBe(true);
    expect(await first.tryTake()).toBe(true);
    expect(await second.tryTake()).toBe(false);
    // A role of another name is another lock.
    const other = processRole(database.db, 'another-role');
    expect(await other.tryTake()).toBe(true);
    await other.release();
    await first.release();
    expect(await second.tryTake()).toBe(true);
    await second.release();
    // Another process holds it until it is SIGKILLed; then the next try takes it.
    const holder =
      database.engine === 'postgres'
        ? spawn(
            process.execPath,
            [
              '-e',
              `const { Client } = require(${JSON.stringify(require.resolve('pg'))});
               const client = new Client({ connectionString: process.argv[1] });
               client.connect()
                 .then(() => client.query('begin'))
                 .then(() => client.query("select pg_advisory_xact_lock(hashtextextended(current_schema() || '/guildhall:test-role', 0))"))
                 .then(() => console.log('held'));`,
              (database.env as Record<string, string>).DATABASE_URL as string,
            ],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          )
        : spawn(
            process.execPath,
            [
              '-e',
              `const S = require(${JSON.stringify(require.resolve('better-sqlite3'))});
               const db = new S(process.argv[1]); db.exec('begin exclusive'); console.log('held'); setInterval(() => {}, 1000);`,
              roleFileOf(
                database.config.database.kind === 'sqlite' ? database.config.database.file : '',
                'test-role',
              ),
            ],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
    await new Promise((resolve) => holder.stdout?.once('data', resolve));
    expect(await first.tryTake()).toBe(false);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    // PostgreSQL lets the lock go when it sees the connection closed, a moment after.
    expect(await eventually(() => first.tryTake())).toBe(true);
    if (database.engine === 'postgres') {
      // The holder's connection is lost (its server process ends): another takes the role, and the
      // holder, told by its connection, no longer believes it holds it.
      await sql`select pg_terminate_backend(pid) from pg_locks
        where locktype = 'advisory' and objsubid = 1 and granted
          and classid = ((hashtextextended(current_schema() || '/guildhall:test-role', 0) >> 32) & 4294967295)::oid
          and objid = (hashtextextended(current_schema() || '/guildhall:test-role', 0) & 4294967295)::oid`.execute(
        database.db,
      );
      expect(await eventually(() => second.tryTake())).toBe(true);
      expect(await eventually(async () => (await first.tryTake().catch(() => null)) === false)).toBe(true);
      await second.release();
    }
    await first.release();
  });

  it('of two started drainers (two processes, each its own lock connection), one drains; when it stops the other takes over and frees its claims', async () => {
    const clock = manualClock(500_000);
    const applied: string[][] = [];
    const started = (name: string) =>
      createWebhookInbox({
        db: inbox,
        clock,
        logger: { info: () => {}, error: () => {} } as never,
        role: processRole(database.db, 'inbox-drainer-test'),
        async prepareBatch(events) {
          return async () => {
            applied.push([name, ...events.map((event) => event.id)]);
            await markInboxApplied(
              inbox,
              events.map((event) => event.id),
              clock.now(),
            );
          };
        },
      });
    const first = started('first');
    first.start();
    expect(await eventually(() => first.isDraining())).toBe(true);
    const second = started('second');
    second.start();
    const [a, b] = [entry(), entry()];
    await receiveStripeEvents(inbox, [a], clock.now());
    // A kick in the process that does not drain does nothing; the drainer's next look applies it.
    second.kick();
    expect(await eventually(() => applied.length > 0)).toBe(true);
    expect(applied).toEqual([['first', a.id]]);
    expect(first.isDraining()).toBe(true);
    expect(second.isDraining()).toBe(false);
    // The drainer dies holding a claim: the next one frees it at once instead of waiting for it. (The
    // event is due a moment from now, so that the drainer's own look cannot claim it first.)
    const soon = clock.now() + 1;
    await receiveStripeEvents(inbox, [b], soon);
    await claimStripeEvents(inbox, soon, soon + 60_000, 10);
    await first.stop();
    clock.advance(1);
    expect(await eventually(() => applied.length > 1)).toBe(true);
    expect(second.isDraining()).toBe(true);
    expect(applied).toEqual([
      ['first', a.id],
      ['second', b.id],
    ]);
    await second.stop();
  });

  it('a drainer that loses its role stops draining; one whose role cannot be reached drains all the same, and says so once', async () => {
    const clock = manualClock(700_000);
    const errors: string[] = [];
    let answer: 'held' | 'lost' | 'unreachable' = 'held';
    const applied: string[] = [];
    const drainer = createWebhookInbox({
      db: inbox,
      clock,
      logger: { info: () => {}, error: (_fields: unknown, message: string) => errors.push(message) } as never,
      role: {
        exclusive: true,
        async tryTake() {
          if (answer === 'unreachable') throw new Error('connection refused');
          return answer === 'held';
        },
        release: async () => {},
      },
      async prepareBatch(events) {
        return async () => {
          applied.push(...events.map((event) => event.id));
          await markInboxApplied(
            inbox,
            events.map((event) => event.id),
            clock.now(),
          );
        };
      },
    });
    drainer.start();
    expect(await eventually(() => drainer.isDraining())).toBe(true);
    answer = 'lost';
    expect(await eventually(() => !drainer.isDraining())).toBe(true);
    const waiting = entry();
    await receiveStripeEvents(inbox, [waiting], clock.now());
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(applied).not.toContain(waiting.id);
    answer = 'unreachable';
    expect(await eventually(() => drainer.isDraining())).toBe(true);
    expect(await eventually(() => applied.includes(waiting.id))).toBe(true);
    // Several looks later, one error said it.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(errors.filter((message) => message.includes('cannot be taken'))).toHaveLength(1);
    await drainer.stop();
  });

  it('drains what is due, throws to whoever waits when a batch fails, and stops after the batch in hand', async () => {
    const clock = manualClock(100_000);
    const batches: ClaimedEvent[][] = [];
    let failNext = false;
    let release: () => void = () => {};
    let holding: Promise<void> | null = null;
    const drainer = loneDrainer(clock, async (events) => {
      return async () => {
        if (failNext) {
          failNext = false;
          throw new Error('the database went away');
        }
        if (holding) await holding;
        batches.push(events);
        await markInboxApplied(
          inbox,
          events.map((event) => event.id),
          clock.now(),
        );
      };
    });
    const [a, b] = [entry(), entry()];
    await receiveStripeEvents(inbox, [a], clock.now());
    clock.advance(1);
    await receiveStripeEvents(inbox, [b], clock.now());
    await drainer.drain();
    expect(batches.map((batch) => batch.map((event) => event.id))).toEqual([[a.id, b.id]]);

    const c = entry();
    await receiveStripeEvents(inbox, [c], clock.now());
    failNext = true;
    await expect(drainer.drain()).rejects.toThrow('the database went away');
    expect((await row(c.id)).appliedAt).toBeNull();
    // The claim runs out; the next drain applies it.
    clock.advance(5_000);
    await drainer.drain();
    expect((await row(c.id)).appliedAt).not.toBeNull();

    const d = entry();
    await receiveStripeEvents(inbox, [d], clock.now());
    holding = new Promise((resolve) => {
      release = resolve;
    });
    drainer.kick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    let stopped = false;
    const stopping = drainer.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect((await row(d.id)).appliedAt).not.toBeNull();
    // Stopped: a kick does nothing.
    const e = entry();
    await receiveStripeEvents(inbox, [e], clock.now());
    drainer.kick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await row(e.id)).appliedAt).toBeNull();
  });

  it('reads the next batch while one is written', async () => {
    const clock = manualClock(900_000);
    const steps: string[] = [];
    const drainer = loneDrainer(clock, async (events) => {
      const batch = steps.filter((step) => step.startsWith('read')).length + 1;
      steps.push(`read ${batch}: ${events.length}`);
      return async () => {
        steps.push(`write ${batch}`);
        await markInboxApplied(
          inbox,
          events.map((event) => event.id),
          clock.now(),
        );
      };
    });
    const events = Array.from({ length: BATCH_SIZE + 1 }, () => entry());
    await receiveStripeEvents(inbox, events, clock.now());
    await drainer.drain();
    expect(steps).toEqual([`read 1: ${BATCH_SIZE}`, 'read 2: 1', 'write 1', 'write 2']);
    for (const event of events) expect((await row(event.id)).appliedAt).not.toBeNull();
  });
});
