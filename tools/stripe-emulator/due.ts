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

function dueItems(emu: Emulator, state: AccountState, now: number): DueItem[] {
  const items: DueItem[] = [];
  for (const session of allOfKind(state, 'checkout.session')) {
    if (session.status === 'open' && session.expires_at <= now) {
      items.push({ at: session.expires_at, run: () => expireSession(emu, state, session) });
    }
  }
  for (const subscription of allOfKind(state, 'subscription')) {
    if (subscription.status === 'canceled' || subscription.status.startsWith('incomplete')) continue;
    const period = periodOf(subscription);
    if (
      subscription.status === 'trialing' &&
      subscription.trial_end !== null &&
      !state.trialWillEndSent.has(subscription.id) &&
      subscription.trial_end - 3 * day <= now
    ) {
      items.push({
        at: Math.max(subscription.trial_end - 3 * day, subscription.created),
        run: () => {
          state.trialWillEndSent.add(subscription.id);
          emu.emit(state, 'customer.subscription.trial_will_end', subscription);
        },
      });
    }
    if (period.end <= now) items.push({ at: period.end, run: () => renew(emu, state, subscription) });
  }
  for (const invoice of allOfKind(state, 'invoice')) {
    const at = invoice.next_payment_attempt;
    if (invoice.status === 'open' && at !== null && at <= now)
      items.push({ at, run: () => collectInvoice(emu, state, invoice) });
  }
  return items;
}

/** Runs everything that has fallen due by the clock, earliest first, each at the moment it fell due. */
export function runDue(emu: Emulator): number {
  let processed = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const now = emu.now();
    let next: { state: AccountState; item: DueItem } | undefined;
    for (const state of emu.accounts.values()) {
      for (const item of dueItems(emu, state, now))
        if (!next || item.at < next.item.at) next = { state, item };
    }
    if (!next) return processed;
    const due = next.item;
    emu.clock.at(due.at, due.run);
    processed++;
  }
  return processed;
}
