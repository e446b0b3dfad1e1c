import { describe, expect, it } from 'vitest';
import { blockErrorsOf, changeOf, diffOf, draftOf, newDraft, type Offer, pricingOf } from './model.ts';

function savedOffer(overrides: Partial<Offer> = {}): Offer {
  return {
    id: 'o1',
    type: 'membership',
    title: 'Yoga Circle',
    slug: 'yoga-circle',
    status: 'draft',
    pricing: {
      model: 'one_time',
      amountMinor: 900,
      currency: 'usd',
      interval: null,
      intervalCount: null,
      trialDays: null,
    },
    hubGroupIds: ['g2', 'g1'],
    confirmationEmail: { subject: null, body: null },
    destination: { customUrl: null },
    resell: { enabled: false, commissionPercent: null, description: null, recurring: 'every', months: null },
    customCode: null,
    landingPage: { enabled: false, blocks: [] },
    checkout: { allowPromotionCodes: false, refundPolicy: 'full' },
    ...overrides,
  } as Offer;
}

describe('the offer editor model', () => {
  it('reads a price as typed, in the currency’s own minor units', () => {
    const dollars = { ...newDraft('usd'), model: 'one_time' as const, amount: '9.99' };
    expect(pricingOf(dollars).pricing.amountMinor).toBe(999);
    const yen = { ...newDraft('jpy'), model: 'one_time' as const, amount: '500' };
    expect(pricingOf(yen)).toMatchObject({ pricing: { amountMinor: 500, currency: 'jpy' }, problems: {} });
    expect(pricingOf({ ...yen, amount: '5.5' }).problems['pricing.amountMinor']).toMatch(/no decimals/);
    expect(pricingOf({ ...dollars, amount: '' }).problems['pricing.amountMinor']).toBe(
      'is required for a paid offer',
    );
  });

  it('sends interval and trial only for a recurring price, and refuses a count that is not a number', () => {
    const monthly = { ...newDraft('usd'), model: 'recurring' as const, amount: '10', trialDays: '7' };
    expect(pricingOf(monthly).pricing).toMatchObject({ interval: 'month', intervalCount: 1, trialDays: 7 });
    expect(pricingOf({ ...monthly, intervalCount: 'two' }).problems['pricing.intervalCount']).toBeDefined();
    const once = { ...monthly, model: 'one_time' as const };
    expect(pricingOf(once).pricing).toMatchObject({ interval: null, intervalCount: null, trialDays: null });
  });

  it('turns resale off for a free offer instead of failing, and checks the percentage it can', () => {
    const free = { ...newDraft('usd'), resellEnabled: true, commission: '30' };
    expect(changeOf(free).change.resell.enabled).toBe(false);
    const paid = { ...free, model: 'one_time' as const, amount: '9', commission: 'thirty' };
    expect(changeOf(paid).problems['resell.commissionPercent']).toBe(
      'must be a whole percentage from 1 to 90',
    );
  });

  it('sends only what changed, and a different order of the same groups is no change', () => {
    const saved = savedOffer();
    const draft = draftOf(saved);
    expect(diffOf(saved, { ...draft, hubGroupIds: ['g1', 'g2'] }).change).toEqual({});
    expect(diffOf(saved, { ...draft, title: 'Yoga Club' }).change).toEqual({ title: 'Yoga Club' });
  });

  it('keeps a draft’s slug following its title, never a published one’s', () => {
    expect(draftOf(savedOffer()).slugFollowsTitle).toBe(true);
    expect(draftOf(savedOffer({ status: 'published' })).slugFollowsTitle).toBe(false);
    expect(draftOf(savedOffer({ slug: 'custom' })).slugFollowsTitle).toBe(false);
  });

  it('files a server error about a block under that block and its field', () => {
    const sent = [
      { id: 'hero-1', type: 'hero' as const, heading: '', subheading: '', showCover: true },
      { id: 'faq-1', type: 'faq' as const, heading: '', items: [] },
    ];
    expect(
      blockErrorsOf(
        { 'landingPage.blocks.1.items.0.answer': 'must be at most 3000 characters', title: 'is required' },
        sent,
      ),
    ).toEqual({ 'faq-1': { 'items.0.answer': 'must be at most 3000 characters' } });
  });
});
