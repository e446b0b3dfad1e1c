// Stripe's test cards that Guildhall's tests need, with the outcome Stripe documents for each.

export type CardOutcome =
  | { kind: 'succeed' }
  | { kind: 'decline'; code: string; declineCode: string; message: string }
  /** Attaching to a customer works; every charge on it fails (Stripe's 4000 0000 0000 0341). */
  | { kind: 'attach_then_decline' }
  /** The charge succeeds, then the cardholder disputes it (Stripe's 4000 0000 0000 0259). */
  | { kind: 'succeed_then_dispute' }
  /**
   * 3D Secure is required: the pay page shows an authentication step. Off-session charges (renewals,
   * retries) fail with `authentication_required`, except for a card that, once saved, no longer asks
   * (Stripe's 4000 0025 0000 3155).
   */
  | { kind: 'authenticate'; offSessionAfterSetup: boolean };

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard' | 'amex';
  outcome: CardOutcome;
}

const genericDecline = {
  kind: 'decline',
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
} as const;

const cards: TestCard[] = [
  { number: '4242424242424242', brand: 'visa', outcome: { kind: 'succeed' } },
  { number: '4000056655665556', brand: 'visa', outcome: { kind: 'succeed' } },
  { number: '5555555555554444', brand: 'mastercard', outcome: { kind: 'succeed' } },
  { number: '378282246310005', brand: 'amex', outcome: { kind: 'succeed' } },
  { number: '4000000000000002', brand: 'visa', outcome: genericDecline },
  {
    number: '4000000000009995',
    brand: 'visa',
    outcome: {
      kind: 'decline',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    },
  },
  {
    number: '4000000000009987',
    brand: 'visa',
    outcome: {
      kind: 'decline',
      code: 'card_declined',
      declineCode: 'lost_card',
      message: 'Your card was declined.',
    },
  },
  {
    number: '4000000000000069',
    brand: 'visa',
    outcome: {
      kind: 'decline',
      code: 'expired_card',
      declineCode: 'expired_card',
      message: 'Your card has expired.',
    },
  },
  {
    number: '4000000000000127',
    brand: 'visa',
    outcome: {
      kind: 'decline',
      code: 'incorrect_cvc',
      declineCode: 'incorrect_cvc',
      message: "Your card's security code is incorrect.",
    },
  },
  { number: '4000000000000341', brand: 'visa', outcome: { kind: 'attach_then_decline' } },
  { number: '4000000000000259', brand: 'visa', outcome: { kind: 'succeed_then_dispute' } },
  {
    number: '4000000000003220',
    brand: 'visa',
    outcome: { kind: 'authenticate', offSessionAfterSetup: false },
  },
  {
    number: '4000002500003155',
    brand: 'visa',
    outcome: { kind: 'authenticate', offSessionAfterSetup: true },
  },
];

/** Stripe's test payment method tokens (`pm_card_visa`, …), usable wherever a payment method id is. */
const tokens: Record<string, string> = {
  pm_card_visa: '4242424242424242',
  pm_card_mastercard: '5555555555554444',
  pm_card_amex: '378282246310005',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_visa_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_chargeDeclinedLostCard: '4000000000009987',
  pm_card_chargeDeclinedExpiredCard: '4000000000000069',
  pm_card_chargeCustomerFail: '4000000000000341',
  pm_card_createDispute: '4000000000000259',
};

export function normaliseCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function findTestCard(input: string): TestCard | undefined {
  const number = normaliseCardNumber(input);
  return cards.find((card) => card.number === number);
}

export function cardForToken(token: string): TestCard | undefined {
  const number = tokens[token];
  return number ? findTestCard(number) : undefined;
}

export function listTestCards(): readonly TestCard[] {
  return cards;
}
