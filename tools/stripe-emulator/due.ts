// What the clock brings, in order: checkout sessions expire, trials announce their end, periods renew
// (or end), failed invoices are retried.
import type { Emulator } from './emulator.ts';
import { collectInvoice, periodOf, renew } from './resources/billing.ts';
import { expireSession } from './resources/checkout.ts';
import { type AccountState, allOfKind } from './store.ts';

const day = 86_400;

interface DueItem {
  at: number;
  run: () => void;
}

/** Everything waiting for the clock in one account, each with the moment it falls due. */
function pendingItems(emu: Emulator, state: AccountState): DueItem[] {
  const items: DueItem[] = [];
  for (const session of allOfKind(state, 'checkout.session')) {
    if (session.status === 'open') {
      items.push({ at: session.expires_at, run: () => expireSession(emu, state, session) });
    }
  }
  for (const subscription of allOfKind(state, 'subscription')) {
    if (subscription.status === 'canceled' || subscription.status.startsWith('incomplete')) continue;
    const period = periodOf(subscription);
    if (
      subscription.status === 'trialing' &&
      subscription.trial_end !== null &&
      !state.trialWillEndSent.has(subscription.id)
    ) {
      items.push({
        at: Math.max(subscription.trial_end - 3 * day, subscription.created),
        run: () => {
          state.trialWillEndSent.add(subscription.id);
          emu.emit(state, 'customer.subscription.trial_will_end', subscription);
        },
      });
    }
    items.push({ at: period.end, run: () => renew(emu, state, subscription) });
  }
  for (const invoice of allOfKind(state, 'invoice')) {
    const at = invoice.next_payment_attempt;
    if (invoice.status === 'open' && at !== null)
      items.push({ at, run: () => collectInvoice(emu, state, invoice) });
  }
  return items;
}

/**
 * Runs everything that has fallen due by the clock, earliest first, each at the moment it fell due.
 * Looking costs a pass over every object, so the answer "nothing until `nextAt`" is kept until a request
 * changes something or the clock reaches it: a stream of reads costs one pass, not one each.
 */
export function runDue(emu: Emulator): number {
  const check = emu.dueCheck;
  if (check && check.changes === emu.changeCount && emu.now() < check.nextAt) return 0;
  let processed = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const now = emu.now();
    let next: { state: AccountState; item: DueItem } | undefined;
    let nextAt = Number.POSITIVE_INFINITY;
    for (const state of emu.accounts.values()) {
      for (const item of pendingItems(emu, state)) {
        if (item.at > now) nextAt = Math.min(nextAt, item.at);
        else if (!next || item.at < next.item.at) next = { state, item };
      }
    }
    if (!next) {
      emu.dueCheck = { changes: emu.changeCount, nextAt };
      return processed;
    }
    const due = next.item;
    emu.clock.at(due.at, due.run);
    processed++;
  }
  return processed;
}
