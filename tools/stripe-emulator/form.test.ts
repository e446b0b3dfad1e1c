import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { signPayload } from './delivery.ts';
import { encodeForm, parseForm } from './form.ts';
import { escapeHtml } from './html.ts';
import { addInterval } from './resources/billing.ts';

describe('form decoding', () => {
  it('reads bracketed keys the way the SDK writes them', () => {
    const parsed = parseForm(
      'mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price]=price_2&metadata[a]=b&expand[0]=line_items&expand[]=customer',
    );
    expect(parsed).toEqual({
      mode: 'payment',
      line_items: [{ price: 'price_1', quantity: '2' }, { price: 'price_2' }],
      metadata: { a: 'b' },
      expand: ['line_items', 'customer'],
    });
  });

  it('keeps empty values (Stripe unsets a field with an empty string)', () => {
    expect(parseForm('metadata[a]=&email=')).toEqual({ metadata: { a: '' }, email: '' });
  });

  it('round-trips through encodeForm', () => {
    const value = { items: [{ price: 'p', quantity: '1' }], metadata: { k: 'v w' } };
    expect(parseForm(encodeForm(value))).toEqual(value);
  });
});

describe('webhook signatures', () => {
  it('are verifiable by the official SDK', () => {
    const payload = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'customer.created',
      data: { object: {} },
    });
    const header = signPayload(payload, 'whsec_test', Math.floor(Date.now() / 1000));
    const event = Stripe.webhooks.constructEvent(payload, header, 'whsec_test');
    expect(event.id).toBe('evt_1');
    expect(() => Stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow();
  });
});

describe('billing intervals', () => {
  it('adds calendar months, clamping to the end of shorter months', () => {
    const jan31 = Date.UTC(2025, 0, 31, 12) / 1000;
    expect(new Date(addInterval(jan31, 'month', 1) * 1000).toISOString()).toBe('2025-02-28T12:00:00.000Z');
    expect(new Date(addInterval(jan31, 'year', 1) * 1000).toISOString()).toBe('2026-01-31T12:00:00.000Z');
    expect(addInterval(jan31, 'week', 2) - jan31).toBe(14 * 86_400);
  });
});

describe('escaping', () => {
  it('escapes every character that could break out of HTML text or attributes', () => {
    expect(escapeHtml(`<script>"x"&'y'</script>`)).toBe(
      '&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;',
    );
  });
});
