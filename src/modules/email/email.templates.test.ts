import { describe, expect, it } from 'vitest';
import { purchaseConfirmationEmail } from './email.templates.ts';

const vars = {
  buyer_name: 'Vera',
  offer_title: 'Yoga Circle',
  platform_name: 'Iron Temple',
  login_link: 'http://localhost/auth/verify-email?token=abc',
  hub_link: 'http://localhost/hub',
  support_email: 'help@iron.test',
};

describe('the confirmation email', () => {
  it('fills every variable that has a value', () => {
    const email = purchaseConfirmationEmail(
      { platformName: 'Iron Temple' },
      {
        subject: 'Namaste, {{buyer_name}}',
        body: 'Welcome to {{offer_title}}.\n\nQuestions? {{support_email}}',
      },
      vars,
    );
    expect(email.subject).toBe('Namaste, Vera');
    expect(email.text).toContain('Welcome to Yoga Circle.');
    expect(email.text).toContain('Questions? help@iron.test');
    expect(email.leftOut).toEqual([]);
  });

  it('never sends a blank: a paragraph whose variable is empty is left out, a subject falls back', () => {
    const email = purchaseConfirmationEmail(
      { platformName: 'Iron Temple' },
      {
        subject: 'Namaste, {{buyer_name}}',
        body: 'Welcome to {{offer_title}}.\n\nQuestions? Write to {{support_email}}.\n\nSee you inside.',
      },
      { ...vars, buyer_name: '', support_email: '' },
    );
    expect(email.subject).toBe('Welcome to Yoga Circle');
    expect(email.text).toContain('Welcome to Yoga Circle.');
    expect(email.text).toContain('See you inside.');
    expect(email.text).not.toContain('Write to');
    expect(email.html).not.toContain('Write to');
    expect(email.leftOut.sort()).toEqual(['buyer_name', 'support_email']);
  });

  it('greets a buyer without a name in the default words', () => {
    const email = purchaseConfirmationEmail(
      { platformName: 'Iron Temple' },
      { subject: null, body: null },
      { ...vars, buyer_name: '' },
    );
    expect(email.text).toContain('Hi there,');
    expect(email.leftOut).toEqual([]);
  });
});
