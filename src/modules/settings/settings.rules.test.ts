import { describe, expect, it } from 'vitest';
import { requirementsInWords } from './settings.rules.ts';

describe('what Stripe still needs, in words', () => {
  it('names known codes, spells out the others, and says each thing once', () => {
    expect(
      requirementsInWords([
        'external_account',
        'individual.dob.day',
        'individual.dob.month',
        'company.structure_type',
      ]),
    ).toEqual(['a bank account for payouts', 'your date of birth', 'structure type']);
    expect(requirementsInWords([])).toEqual([]);
  });
});
