import { describe, expect, it } from 'vitest';
import { applyOfferInput, type Draft, emailDraftOf, newOfferDraft, OFFER_LIMITS } from './offer.rules.ts';

const base: Draft = newOfferDraft('Yoga Club', 'yoga-club', 'usd');

function problemsOf(input: Parameters<typeof applyOfferInput>[1], draft: Draft = base) {
  return Object.fromEntries(applyOfferInput(draft, input).problems.map((p) => [p.field, p.message]));
}

describe('offer rules', () => {
  it('trims the title and slug and refuses what is blank, too long or not a slug', () => {
    expect(applyOfferInput(base, { title: '  Pilates  ' }).draft.title).toBe('Pilates');
    expect(problemsOf({ title: '   ', slug: 'Not A Slug' })).toEqual({
      title: 'is required',
      slug: 'must be lower-case letters, digits and single dashes',
    });
    expect(problemsOf({ title: 'x'.repeat(OFFER_LIMITS.title + 1) })).toEqual({
      title: `must be at most ${OFFER_LIMITS.title} characters`,
    });
  });

  it("holds a paid price to Stripe's minimum in its own currency", () => {
    const cheap = applyOfferInput(base, { pricing: { model: 'one_time', amountMinor: 49, currency: 'usd' } });
    expect(cheap.belowMinimum).toBe(true);
    expect(cheap.problems).toEqual([
      { field: 'pricing.amountMinor', message: "must be at least $0.50, Stripe's minimum charge" },
    ]);
    const fifty = applyOfferInput(base, { pricing: { model: 'one_time', amountMinor: 50, currency: 'USD' } });
    expect(fifty.problems).toEqual([]);
    expect(fifty.draft.pricing).toMatchObject({
      currency: 'usd',
      amountMinor: 50,
      interval: null,
      trialDays: null,
    });
    expect(problemsOf({ pricing: { model: 'one_time', amountMinor: 500, currency: 'xyz' } })).toEqual({
      'pricing.currency': 'is not a currency offers can be sold in',
    });
  });

  it('bills at most once a year and keeps a trial only on a recurring price', () => {
    const month = { model: 'recurring', amountMinor: 900, currency: 'usd', interval: 'month' };
    expect(problemsOf({ pricing: { ...month, intervalCount: 12 } })).toEqual({});
    expect(problemsOf({ pricing: { ...month, intervalCount: 13 } })).toEqual({
      'pricing.intervalCount': 'must be a whole number from 1 to 12',
    });
    expect(problemsOf({ pricing: { ...month, interval: 'week', intervalCount: 52 } })).toEqual({});
    const trial = applyOfferInput(base, { pricing: { ...month, trialDays: 7 } }).draft;
    expect(trial.pricing.trialDays).toBe(7);
    // Switching the same offer to a one-time price drops the trial and the interval.
    const once = applyOfferInput(trial, { pricing: { model: 'one_time' } }).draft;
    expect(once.pricing).toMatchObject({
      model: 'one_time',
      interval: null,
      intervalCount: null,
      trialDays: null,
    });
  });

  it('publishes only with a thumbnail and at least one hub group', () => {
    expect(problemsOf({ status: 'published' })).toEqual({
      thumbnail: 'is required to publish (it is shown on the checkout page)',
      hubGroupIds: 'must name at least one hub group buyers gain',
    });
    expect(
      problemsOf({ status: 'published', hubGroupIds: ['g1', 'g1'] }, { ...base, thumbnailPath: 't.png' }),
    ).toEqual({});
    expect(applyOfferInput(base, { hubGroupIds: ['g1', 'g1', 'g2'] }).draft.hubGroupIds).toEqual([
      'g1',
      'g2',
    ]);
  });

  it('lets paid offers only be resold, for a whole percentage within the bounds', () => {
    expect(problemsOf({ resell: { enabled: true, commissionPercent: 30 } })).toEqual({
      'resell.enabled': 'is for paid offers only',
    });
    const paid: Draft = { ...base, pricing: { ...base.pricing, model: 'one_time', amountMinor: 900 } };
    expect(problemsOf({ resell: { enabled: true } }, paid)).toEqual({
      'resell.commissionPercent': 'must be a whole percentage from 1 to 90',
    });
    expect(problemsOf({ resell: { enabled: true, commissionPercent: 30 } }, paid)).toEqual({});
    expect(problemsOf({ resell: { recurring: 'months', months: 0 } }, paid)).toEqual({
      'resell.months': `must be a whole number of months from 1 to ${OFFER_LIMITS.resellMonths}`,
    });
  });

  it('keeps a custom link only when it is http(s)', () => {
    expect(problemsOf({ destination: { customUrl: 'javascript:alert(1)' } })).toEqual({
      'destination.customUrl': 'must be an http or https URL',
    });
    expect(applyOfferInput(base, { destination: { customUrl: '  ' } }).draft.destinationUrl).toBeNull();
  });

  it('takes an empty confirmation email as the default and keeps sign-in links out of the subject', () => {
    expect(emailDraftOf({ subject: '  ', body: '' })).toEqual({ subject: null, body: null, problems: [] });
    expect(emailDraftOf({ subject: 'Your link: {{login_link}}' }, 'confirmationEmail.').problems).toEqual([
      {
        field: 'confirmationEmail.subject',
        message: 'cannot contain {{login_link}}: a sign-in link goes in the body only',
      },
    ]);
  });
});
