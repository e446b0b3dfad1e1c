// Pure rules of accounts: normalisation and validation, no I/O.
import { type FieldProblem, ValidationError } from '../../platform/errors.ts';
import { isEmailAddress } from '../../platform/text.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;
export const MAX_NAME_LENGTH = 120;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailProblem(field: string, email: string): FieldProblem | null {
  const normalized = normalizeEmail(email);
  if (normalized.length === 0) return { field, message: 'is required' };
  if (!isEmailAddress(normalized)) return { field, message: 'must be an email address' };
  return null;
}

export function passwordProblem(field: string, password: string): FieldProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { field, message: `must be at least ${MIN_PASSWORD_LENGTH} characters` };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return { field, message: `must be at most ${MAX_PASSWORD_LENGTH} characters` };
  }
  if (password.trim().length === 0) return { field, message: 'must not be only spaces' };
  return null;
}

export function nameProblem(field: string, name: string, required: boolean): FieldProblem | null {
  const trimmed = name.trim();
  if (required && trimmed.length === 0) return { field, message: 'is required' };
  if (trimmed.length > MAX_NAME_LENGTH)
    return { field, message: `must be at most ${MAX_NAME_LENGTH} characters` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return { field, message: 'must not contain control characters' };
  return null;
}

/** Throws one ValidationError listing every problem found. */
export function assertValid(problems: (FieldProblem | null)[]): void {
  const found = problems.filter((p): p is FieldProblem => p !== null);
  if (found.length > 0) throw new ValidationError(found);
}

/** Lower-cased name for indexed prefix search. */
export function nameSearchKey(name: string): string {
  return name.trim().toLowerCase();
}
