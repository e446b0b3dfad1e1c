// The one place that decides who may enter a hub group (DESIGN.md §1), and the admin's tools around
// it: hand grants, the access ledger of a user, and who is in a group and why.

import { type Actor, requireStaff } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/crypto.ts';
import type { Changes } from '../../platform/db/changes.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import type { EntitlementState } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import {
  type FieldProblem,
  ForbiddenError,
  NotFoundError,
  stillThere,
  ValidationError,
} from '../../platform/errors.ts';
import { lru } from '../../platform/lru.ts';
import { decodeCursor, pageOf } from '../../platform/pagination.ts';
import { priceLabel } from '../../platform/pricing.ts';
import type { MetricsService } from '../metrics/index.ts';
import {
  countLiveBuyers,
  deleteGrant,
  type EntitlementRow,
  findEntitlementForChange,
  findEntitlementOfPurchase,
  findEntitlementOfPurchaseForChange,
  findGrantOfUser,
  findGroup,
  findGroupWithEntry,
  findLiveEntitlement,
  type GroupRow,
  insertEntitlement,
  insertEntitlementChange,
  listAllGroups,
  listEntitlementChangesOfUser,
  listEntitlementGroupsOfUser,
  listEntitlementMembers,
  listGrantMembers,
  listGrantsOfUser,
  listGroupEntries,
  listOffersGranting,
  nextAccessChange,
  updateEntitlementRow,
  upsertGrant,
} from './access.repository.ts';
import { isEntitlementLive, isGrantLive, isStaffRole } from './access.rules.ts';

export interface Paywall {
  callToAction: string;
  description: string | null;
  url: string | null;
  /** The published offers that open the group, with the price as a buyer reads it. */
  offers: { id: string; title: string; slug: string; priceLabel: string }[];
}

/** A group as a member sees it listed: the group's row (kept by version, shared between readers) and
 * whether this member may enter it. */
export interface VisibleGroup {
  group: GroupRow;
  canEnter: boolean;
}

export type AccessReason =
  | { kind: 'public' }
  | { kind: 'staff'; role: 'owner' | 'admin' }
  | { kind: 'grant'; grantId: string; endsAt: number | null; note: string | null }
  | {
      kind: 'entitlement';
      entitlementId: string;
      offerId: string;
      offerTitle: string;
      state: string;
      accessUntil: number | null;
    };

/** What Stripe said of the subscription behind an entitlement, and when it was read. */
export interface StripeFacts {
  subscriptionId: string | null;
  status: string | null;
  currentPeriodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  /** When the object was read from Stripe (our clock): the version of these facts. */
  readAt: number;
}

/** Why an entitlement changed, for the access ledger. */
export interface ChangeReason {
  reason: string;
  stripeObjectId?: string | null;
  stripeEventId?: string | null;
  actorUserId?: string | null;
}

export interface AccessDeps {
  db: Database;
  clock: Clock;
  /** Counts joins, cancellations, subscriptions and MRR with every entitlement change. */
  metrics: Pick<MetricsService, 'entitlementChanged'>;
  /** Tells the kept groups and members' access of every change (src/platform/db/changes.ts). */
  changes: Changes;
}

/** The longest note a hand grant keeps (trimmed); also the request schema's bound. */
export const MAX_NOTE = 500;

export function createAccessService(deps: AccessDeps) {
  const { db, clock, metrics } = deps;

  /** What a member without access sees instead of a private group's posts. */
  async function paywallOf(group: GroupRow, executor: Executor = db): Promise<Paywall> {
    const offers = await listOffersGranting(executor, group.id, { publishedOnly: true });
    return {
      callToAction: group.paywallCta || `Join to enter ${group.name}`,
      description: group.paywallDescription,
      url: group.paywallUrl,
      offers: offers.map((offer) => ({
        id: offer.id,
        title: offer.title,
        slug: offer.slug,
        priceLabel: priceLabel({
          model: offer.pricingModel,
          amountMinor: Number(offer.amountMinor),
          currency: offer.currency,
          interval: offer.interval,
          intervalCount: offer.intervalCount,
          trialDays: offer.trialDays,
        }),
      })),
    };
  }

  // --- what a member may enter, kept --------------------------------------------------------------
  //
  // Every group's row, and for each recent member the groups they may enter, are kept in the process
  // while nothing they were read from has changed (src/platform/db/changes.ts): the rows under the
  // 'catalog' topic (any change to a group, a post's count and feed version included), a member's
  // entries under 'catalog' and 'access' (entitlements, grants, the groups an offer opens, a group's
  // visibility) — and only until the clock alone would change them: the earliest paid-up date or
  // grant end of theirs still ahead. So a member's feed, list and home ask the database nothing when
  // nothing changed. A transaction, or a process that cannot hear of changes, reads as before.

  interface KeptGroups {
    version: number;
    rows: GroupRow[];
    byId: Map<string, GroupRow>;
    bySlug: Map<string, GroupRow>;
  }
  interface KeptEntries {
    catalog: number;
    access: number;
    until: number;
    /** The ids of the groups the member may enter (the kept rows' own strings). */
    entered: Set<string>;
  }
  let keptGroupRows: KeptGroups | null = null;
  const keptEntries = lru<KeptEntries>(20_000);

  /** Every group under the current 'catalog' version, or null when nothing may be kept. */
  async function groupsKept(): Promise<KeptGroups | null> {
    const version = deps.changes.version('catalog');
    if (version === null) return null;
    if (keptGroupRows?.version === version) return keptGroupRows;
    const rows = await listAllGroups(db);
    keptGroupRows = {
      version,
      rows,
      byId: new Map(rows.map((row) => [row.id, row])),
      bySlug: new Map(rows.map((row) => [row.slug, row])),
    };
    return keptGroupRows;
  }

  /**
   * The groups and what the member may enter among them at `now`, both kept under the same versions;
   * null when nothing may be kept (the caller reads from the database).
   */
  async function keptAccess(
    userId: string,
    now: number,
  ): Promise<{ groups: KeptGroups; entered: Set<string> } | null> {
    const access = deps.changes.version('access');
    const groups = await groupsKept();
    if (!groups || access === null) return null;
    const kept = keptEntries.get(userId);
    if (kept && kept.catalog === groups.version && kept.access === access && now < kept.until)
      return { groups, entered: kept.entered };
    const rows = await listGroupEntries(db, userId, now);
    const until = (await nextAccessChange(db, userId, now)) ?? Number.POSITIVE_INFINITY;
    const entered = new Set<string>();
    for (const row of rows) {
      const group = groups.byId.get(row.id);
      // A group made or deleted since the rows were read: nothing is kept from this read.
      if (!group || group.version !== row.version || group.feedVersion !== row.feedVersion) return null;
      if (row.mayEnter) entered.add(group.id);
    }
    if (rows.length !== groups.rows.length) return null;
    keptEntries.set(userId, { catalog: groups.version, access, until, entered });
    return { groups, entered };
  }

  /**
   * The group and whether the caller may enter it, from what is kept (null: read from the database).
   * `undefined` group: there is no such group.
   */
  async function keptEntry(
    actor: Actor,
    idOrSlug: string,
  ): Promise<{ group: GroupRow | undefined; mayEnter: boolean } | null> {
    if (isStaffRole(actor.role)) {
      const groups = await groupsKept();
      if (!groups) return null;
      const group = groups.byId.get(idOrSlug) ?? groups.bySlug.get(idOrSlug);
      return { group, mayEnter: group !== undefined };
    }
    const kept = await keptAccess(actor.userId, clock.now());
    if (!kept) return null;
    const group = kept.groups.byId.get(idOrSlug) ?? kept.groups.bySlug.get(idOrSlug);
    return { group, mayEnter: group !== undefined && kept.entered.has(group.id) };
  }

  /**
   * The group, if the caller may enter it. A hidden group the caller may not enter does not exist (404);
   * a private one answers 403 `access_required` with its paywall.
   */
  async function enterGroup(actor: Actor, idOrSlug: string, executor: Executor = db): Promise<GroupRow> {
    const kept = executor === db ? await keptEntry(actor, idOrSlug) : null;
    let group: GroupRow | undefined;
    let mayEnter: boolean;
    if (kept) {
      ({ group, mayEnter } = kept);
    } else if (isStaffRole(actor.role)) {
      group = await findGroup(executor, idOrSlug);
      mayEnter = group !== undefined;
    } else {
      const row = await findGroupWithEntry(executor, idOrSlug, actor.userId, clock.now());
      mayEnter = Boolean(row?.mayEnter);
      if (row) {
        const { mayEnter: _, ...rest } = row;
        group = rest;
      }
    }
    if (!group) throw new NotFoundError('No such group.');
    if (mayEnter) return group;
    if (group.visibility === 'hidden') throw new NotFoundError('No such group.');
    throw new ForbiddenError(`You need access to enter ${group.name}.`, 'access_required', {
      group: { id: group.id, name: group.name, slug: group.slug },
      paywall: await paywallOf(group, executor),
    });
  }

  /** can_enter(user, group) as a yes or no; for callers that must not reveal anything either way. */
  async function canEnter(actor: Actor, groupId: string, executor: Executor = db): Promise<boolean> {
    const kept = executor === db ? await keptEntry(actor, groupId) : null;
    if (kept) return kept.mayEnter;
    if (isStaffRole(actor.role)) return (await findGroup(executor, groupId)) !== undefined;
    const row = await findGroupWithEntry(executor, groupId, actor.userId, clock.now());
    return Boolean(row?.mayEnter);
  }

  // Each group's row as last read, under its version (hub_groups.version, bumped by every change
  // to the group: updateGroupRow, and a post written or deleted, its count). A member's list reads each id,
  // version and whether they may enter it; a row is read again only when its version has moved.
  const keptGroups = lru<GroupRow>(1000);

  /** The groups a member sees: public and private ones, and hidden ones they may enter. */
  async function visibleGroups(actor: Actor): Promise<VisibleGroup[]> {
    if (isStaffRole(actor.role)) {
      const groups = await groupsKept();
      return (groups?.rows ?? (await listAllGroups(db))).map((group) => ({ group, canEnter: true }));
    }
    const now = clock.now();
    const kept = await keptAccess(actor.userId, now);
    if (kept) {
      return kept.groups.rows.flatMap((group) => {
        const canEnter = kept.entered.has(group.id);
        return canEnter || group.visibility !== 'hidden' ? [{ group, canEnter }] : [];
      });
    }
    const entries = await listGroupEntries(db, actor.userId, now);
    let fresh: Map<string, GroupRow> | undefined;
    const visible: VisibleGroup[] = [];
    for (const entry of entries) {
      let group = keptGroups.get(entry.id);
      if (!group || group.version < entry.version) {
        // Read every group at once: one changed group usually means a list whose rows are all new.
        fresh ??= new Map((await listAllGroups(db)).map((row) => [row.id, row]));
        group = fresh.get(entry.id);
        // Deleted since its entry was read.
        if (!group) continue;
        const known = keptGroups.get(entry.id);
        if (!known || known.version < group.version) keptGroups.set(entry.id, group);
      }
      const canEnter = Boolean(entry.mayEnter);
      if (canEnter || group.visibility !== 'hidden') visible.push({ group, canEnter });
    }
    return visible;
  }

  /**
   * The groups the caller may enter at `now` (staff: every group), by id and versions, in the creator's
   * order: one query, the access rule evaluated for every group at once (none when kept).
   */
  async function enteredGroups(
    actor: Actor,
    now: number,
    executor: Executor = db,
  ): Promise<{ id: string; version: number; feedVersion: number }[]> {
    const everyGroup = isStaffRole(actor.role);
    const kept = executor === db ? await keptAccess(actor.userId, now) : null;
    if (kept) {
      return kept.groups.rows
        .filter((group) => everyGroup || kept.entered.has(group.id))
        .map(({ id, version, feedVersion }) => ({ id, version, feedVersion }));
    }
    const entries = await listGroupEntries(executor, actor.userId, now);
    return entries
      .filter((entry) => everyGroup || Boolean(entry.mayEnter))
      .map(({ id, version, feedVersion }) => ({ id, version, feedVersion }));
  }

  // --- hand grants (staff) ---------------------------------------------------------------------

  async function targetUser(executor: Executor, userId: string) {
    const user = await executor
      .selectFrom('users')
      .select(['id', 'role', 'status'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw new NotFoundError('No user with that id.');
    return user;
  }

  async function listGrants(actor: Actor, userId: string) {
    requireStaff(actor);
    await targetUser(db, userId);
    return listGrantsOfUser(db, userId);
  }

  /** Opens a group to a user by hand, optionally until a date; granting again replaces the grant. */
  async function grant(
    actor: Actor,
    userId: string,
    input: { hubGroupId: string; endsAt?: string | null; note?: string | null },
  ) {
    requireStaff(actor);
    const problems: FieldProblem[] = [];
    let endsAt: number | null = null;
    if (input.endsAt) {
      endsAt = Date.parse(input.endsAt);
      if (Number.isNaN(endsAt))
        problems.push({ field: 'endsAt', message: 'must be a date and time (ISO 8601)' });
      else if (endsAt <= clock.now()) problems.push({ field: 'endsAt', message: 'must be in the future' });
      // Every stored time must read back as an ISO date: beyond year 9999 it cannot.
      else if (endsAt >= Date.UTC(10_000, 0, 1))
        problems.push({ field: 'endsAt', message: 'must be before the year 10000' });
    }
    const note = input.note?.trim() || null;
    if (note && note.length > MAX_NOTE)
      problems.push({ field: 'note', message: `must be at most ${MAX_NOTE} characters` });
    if (problems.length) throw new ValidationError(problems);
    return inTransaction(db, async (trx) => {
      await targetUser(trx, userId);
      const group = await findGroup(trx, input.hubGroupId);
      if (!group) throw ValidationError.field('hubGroupId', 'is not a hub group');
      await upsertGrant(trx, {
        id: newId(),
        userId,
        hubGroupId: group.id,
        endsAt,
        note,
        grantedBy: actor.userId,
        createdAt: clock.now(),
      });
      return stillThere(await findGrantOfUser(trx, userId, group.id), 'grant');
    });
  }

  /** Ends a hand grant now: the user is out on their next request. */
  async function revokeGrant(actor: Actor, userId: string, grantId: string): Promise<void> {
    requireStaff(actor);
    const found = await findGrantOfUser(db, userId, grantId);
    if (!found) throw new NotFoundError('No such grant for this user.');
    await deleteGrant(db, found.id);
  }

  /** The access ledger: every group the user may enter, and every reason why. */
  async function ledger(actor: Actor, userId: string) {
    requireStaff(actor);
    const user = await targetUser(db, userId);
    const now = clock.now();
    const [groups, grants, entitlements] = await Promise.all([
      listAllGroups(db),
      listGrantsOfUser(db, userId),
      listEntitlementGroupsOfUser(db, userId),
    ]);
    return groups
      .map((group) => {
        const reasons: AccessReason[] = [];
        if (group.visibility === 'public') reasons.push({ kind: 'public' });
        if (user.role === 'owner' || user.role === 'admin') reasons.push({ kind: 'staff', role: user.role });
        for (const g of grants) {
          if (g.hubGroupId === group.id && isGrantLive(g, now))
            reasons.push({ kind: 'grant', grantId: g.id, endsAt: g.endsAt, note: g.note });
        }
        for (const e of entitlements) {
          if (e.hubGroupId === group.id && isEntitlementLive(e, now)) {
            reasons.push({
              kind: 'entitlement',
              entitlementId: e.entitlementId,
              offerId: e.offerId,
              offerTitle: e.offerTitle,
              state: e.state,
              accessUntil: e.accessUntil,
            });
          }
        }
        return { group, reasons };
      })
      .filter((entry) => entry.reasons.length > 0);
  }

  /** Who is in a group and why, a page at a time: by hand, or through an offer. */
  async function groupMembers(
    actor: Actor,
    groupId: string,
    options: { source: 'grants' | 'offers'; cursor?: string; limit: number },
  ) {
    requireStaff(actor);
    const group = await findGroup(db, groupId);
    if (!group) throw new NotFoundError('No such group.');
    const after = decodeCursor(options.cursor);
    const now = clock.now();
    if (options.source === 'grants') {
      const rows = await listGrantMembers(db, group.id, now, after, options.limit);
      const page = pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
      return {
        group,
        data: page.data.map((row) => ({
          user: { id: row.userId, name: row.name, email: row.email },
          reason: { kind: 'grant' as const, grantId: row.id, endsAt: row.endsAt, note: row.note },
        })),
        nextCursor: page.nextCursor,
      };
    }
    const rows = await listEntitlementMembers(db, group.id, now, after, options.limit);
    const page = pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
    return {
      group,
      data: page.data.map((row) => ({
        user: { id: row.userId, name: row.name, email: row.email },
        reason: {
          kind: 'entitlement' as const,
          entitlementId: row.id,
          offerId: row.offerId,
          offerTitle: row.offerTitle,
          state: row.state,
          accessUntil: row.accessUntil,
        },
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** Every offer (any status) that grants a group: what deleting the group would change. */
  async function offersGranting(groupId: string, executor: Executor = db) {
    return listOffersGranting(executor, groupId, { publishedOnly: false });
  }

  /** How many buyers an offer's groups are open to through it now. */
  async function liveBuyerCount(offerId: string): Promise<number> {
    return countLiveBuyers(db, offerId, clock.now());
  }

  /** The user's live entitlement to an offer, if any (joining twice changes nothing). */
  async function liveEntitlement(trx: Executor, userId: string, offerId: string) {
    return findLiveEntitlement(trx, userId, offerId, clock.now());
  }

  /**
   * Writes an entitlement inside the caller's transaction (the purchase's fulfilment), and its first
   * line in the access ledger. One per purchase: the database refuses a second.
   */
  async function grantEntitlement(
    trx: Executor,
    input: {
      userId: string;
      offerId: string;
      state: EntitlementState;
      accessUntil: number | null;
      source: string;
      purchaseId?: string | null;
      stripe?: StripeFacts | null;
    },
    why: ChangeReason = { reason: input.source },
  ): Promise<EntitlementRow> {
    const now = clock.now();
    const counted = {
      userId: input.userId,
      offerId: input.offerId,
      state: input.state,
      purchaseId: input.purchaseId ?? null,
      stripeSubscriptionId: input.stripe?.subscriptionId ?? null,
    };
    const mrrMinor = await metrics.entitlementChanged(trx, null, counted);
    const row = await insertEntitlement(trx, {
      id: newId(),
      userId: input.userId,
      offerId: input.offerId,
      state: input.state,
      accessUntil: input.accessUntil,
      source: input.source,
      purchaseId: input.purchaseId ?? null,
      ...(input.stripe ? stripeColumns(input.stripe) : {}),
      mrrMinor,
      createdAt: now,
      updatedAt: now,
    });
    await recordChange(trx, row, null, why);
    return row;
  }

  function stripeColumns(facts: StripeFacts) {
    return {
      stripeSubscriptionId: facts.subscriptionId,
      stripeStatus: facts.status,
      currentPeriodEnd: facts.currentPeriodEnd,
      cancelAtPeriodEnd: facts.cancelAtPeriodEnd ? 1 : 0,
      stripeSyncedAt: facts.readAt,
    };
  }

  async function recordChange(
    trx: Executor,
    row: EntitlementRow,
    fromState: EntitlementState | null,
    why: ChangeReason,
  ): Promise<void> {
    await insertEntitlementChange(trx, {
      id: newId(),
      entitlementId: row.id,
      userId: row.userId,
      fromState,
      toState: row.state,
      accessUntil: row.accessUntil,
      reason: why.reason,
      stripeObjectId: why.stripeObjectId ?? null,
      stripeEventId: why.stripeEventId ?? null,
      actorUserId: why.actorUserId ?? null,
      createdAt: clock.now(),
    });
  }

  /**
   * Moves an entitlement to a new state (and what Stripe last said of it), writing the access ledger
   * when access changes. Stripe facts read before the ones already applied are ignored: an older read
   * never overwrites a newer one. `current` is the row as read for change in `trx`
   * (`entitlementOfPurchaseForChange`). Answers the row as it now is.
   */
  async function changeEntitlement(
    trx: Executor,
    current: EntitlementRow,
    next: { state: EntitlementState; accessUntil: number | null; stripe?: StripeFacts | null },
    why: ChangeReason,
  ): Promise<EntitlementRow> {
    if (next.stripe && current.stripeSyncedAt !== null && next.stripe.readAt < current.stripeSyncedAt) {
      return current;
    }
    const stateChanged = current.state !== next.state || current.accessUntil !== next.accessUntil;
    const mrrMinor = await metrics.entitlementChanged(
      trx,
      { ...current, mrrMinor: Number(current.mrrMinor) },
      {
        ...current,
        state: next.state,
        stripeSubscriptionId: next.stripe ? next.stripe.subscriptionId : current.stripeSubscriptionId,
      },
    );
    const updated = await updateEntitlementRow(trx, current.id, {
      state: next.state,
      accessUntil: next.accessUntil,
      ...(next.stripe ? stripeColumns(next.stripe) : {}),
      mrrMinor,
      updatedAt: clock.now(),
    });
    if (stateChanged) await recordChange(trx, updated, current.state, why);
    return updated;
  }

  /** The entitlement a purchase made, if any. */
  async function entitlementOfPurchase(executor: Executor, purchaseId: string) {
    return findEntitlementOfPurchase(executor, purchaseId);
  }

  /** The same, to be changed in `trx`: locked until it ends, so what is decided from it stays true. */
  async function entitlementOfPurchaseForChange(trx: Executor, purchaseId: string) {
    return findEntitlementOfPurchaseForChange(trx, purchaseId);
  }

  /** An entitlement by id, locked in `trx` for `changeEntitlement`. */
  async function entitlementForChange(trx: Executor, entitlementId: string): Promise<EntitlementRow> {
    const row = await findEntitlementForChange(trx, entitlementId);
    if (!row) throw new NotFoundError('No such entitlement.');
    return row;
  }

  /** The access ledger's history for a user, newest first (the user card). */
  async function changesOfUser(actor: Actor, userId: string, limit = 50) {
    requireStaff(actor);
    await targetUser(db, userId);
    return listEntitlementChangesOfUser(db, userId, limit);
  }

  return {
    liveEntitlement,
    liveBuyerCount,
    grantEntitlement,
    changeEntitlement,
    entitlementOfPurchase,
    entitlementOfPurchaseForChange,
    entitlementForChange,
    changesOfUser,
    enterGroup,
    canEnter,
    visibleGroups,
    enteredGroups,
    paywallOf,
    listGrants,
    grant,
    revokeGrant,
    ledger,
    groupMembers,
    offersGranting,
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
