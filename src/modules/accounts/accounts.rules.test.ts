import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.ts';
import { assertValid, emailProblem, nameProblem, normalizeEmail, passwordProblem } from './accounts.rules.ts';

describe('account rules', () => {
  it('normalises emails to lower case without spaces', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
  });

  it.each([
    ['', 'is required'],
    ['plain', 'must be an email address'],
    ['a@b', 'must be an email address'],
    ['a b@c.de', 'must be an email address'],
    [`${'x'.repeat(250)}@c.de`, 'must be an email address'],
  ])('refuses the email %j', (email, message) => {
    expect(emailProblem('email', email)).toEqual({ field: 'email', message });
  });

  it('accepts ordinary addresses', () => {
    expect(emailProblem('email', 'first.last+tag@sub.example.co.uk')).toBeNull();
  });

  it('wants passwords of 10 to 256 characters, not only spaces', () => {
    expect(passwordProblem('password', 'short')?.message).toContain('at least 10');
    expect(passwordProblem('password', 'x'.repeat(257))?.message).toContain('at most 256');
    expect(passwordProblem('password', ' '.repeat(12))?.message).toContain('spaces');
    expect(passwordProblem('password', 'long enough!')).toBeNull();
  });

  it('bounds names and refuses control characters', () => {
    expect(nameProblem('name', '  ', true)?.message).toBe('is required');
    expect(nameProblem('name', '', false)).toBeNull();
    expect(nameProblem('name', 'x'.repeat(121), true)?.message).toContain('at most 120');
    expect(nameProblem('name', 'bad\u0000name', true)?.message).toContain('control');
  });

  it('throws one error listing every problem', () => {
    try {
      assertValid([emailProblem('email', 'x'), null, passwordProblem('password', 'y')]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toEqual({
        fields: [
          { field: 'email', message: 'must be an email address' },
          { field: 'password', message: 'must be at least 10 characters' },
        ],
      });
    }
  });
});
