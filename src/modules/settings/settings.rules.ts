// Pure rules of settings: no I/O.

// Stripe's requirement codes a creator meets most, in words; others are spelled out from the code.
const REQUIREMENT_WORDS: Record<string, string> = {
  external_account: 'a bank account for payouts',
  'business_profile.url': 'your business website',
  'business_profile.mcc': 'your business category',
  'business_profile.product_description': 'a description of what you sell',
  business_type: 'your business type',
  'tos_acceptance.date': "accepting Stripe's terms of service",
  'tos_acceptance.ip': "accepting Stripe's terms of service",
  'individual.verification.document': 'an identity document',
  'individual.id_number': 'your ID number',
  'individual.ssn_last_4': 'the last four digits of your SSN',
  'individual.dob.day': 'your date of birth',
  'individual.dob.month': 'your date of birth',
  'individual.dob.year': 'your date of birth',
  'individual.address.line1': 'your address',
  'individual.address.city': 'your address',
  'individual.address.postal_code': 'your address',
  'individual.email': 'your email address',
  'individual.phone': 'your phone number',
  'individual.first_name': 'your legal name',
  'individual.last_name': 'your legal name',
  'company.tax_id': "your company's tax ID",
  'company.name': "your company's legal name",
  'representative.verification.document': "your representative's identity document",
};

/** What Stripe still needs (`requirements.currently_due`), as words a creator understands, once each. */
export function requirementsInWords(codes: readonly string[]): string[] {
  const words = codes.map(
    (code) =>
      REQUIREMENT_WORDS[code] ??
      code
        .replace(/^(individual|company|business_profile|representative)\./, '')
        .replace(/[._]+/g, ' ')
        .trim(),
  );
  return [...new Set(words)];
}
