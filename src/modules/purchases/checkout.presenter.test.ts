import { describe, expect, it } from 'vitest';
import type { OfferRow } from '../offers/index.ts';
import { errorPageWords, offerPageMeta, publicOfferOf } from './checkout.presenter.ts';

const row = {
  slug: 'yoga-circle',
  title: 'Yoga Circle',
  pricingModel: 'one_time',
  amountMinor: 900,
  currency: 'usd',
  interval: null,
  intervalCount: null,
  trialDays: null,
  coverPath: 'ab/cover.webp',
  thumbnailPath: null,
} as unknown as OfferRow;

describe('the public offer pages', () => {
  it('show the offer with its price, its groups (hidden ones as such) and the referral carried to checkout', () => {
    const offer = publicOfferOf(row, [{ name: 'Yoga', emoji: null, visibility: 'hidden' }], 'k7mq2xhp');
    expect(offer).toMatchObject({
      isFree: false,
      checkoutUrl: '/checkout/yoga-circle?ref=k7mq2xhp',
      grants: [{ name: 'Yoga', emoji: null, hidden: true }],
    });
    expect(offer.priceLabel).toBe('$9 one-time');
    expect(publicOfferOf(row, [], null).checkoutUrl).toBe('/checkout/yoga-circle');
  });

  it('give link previews absolute addresses', () => {
    const meta = offerPageMeta(row, {
      path: '/offers/yoga-circle',
      platformName: 'Strong Together',
      publicUrl: 'https://club.example',
      demo: false,
    });
    expect(meta.url).toBe('https://club.example/offers/yoga-circle');
    expect(meta.imageUrl).toMatch(/^https:\/\/club\.example\/media\//);
    expect(meta.description).toContain('Strong Together');
  });

  it('never show why the server failed, only what the visitor can do', () => {
    expect(errorPageWords(500, 'connection refused at 10.0.0.3', 'req-1').body).toBe(
      'Try again in a moment (request req-1).',
    );
    expect(errorPageWords(409, 'Payments are closed.', 'req-2').body).toBe('Payments are closed.');
    expect(errorPageWords(404, 'x', 'req-3').heading).toBe('This page does not exist');
  });
});
