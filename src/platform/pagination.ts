// Cursor pagination over (a time, id), newest first: stable under inserts, one indexed range read.
import { ValidationError } from './errors.ts';

export interface Cursor {
  at: number;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string | undefined | null): Cursor | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      Number.isSafeInteger(parsed[0]) &&
      typeof parsed[1] === 'string' &&
      parsed[1].length <= 64
    ) {
      return { at: parsed[0], id: parsed[1] };
    }
  } catch {
    // Falls through to the validation error below: a cursor is opaque, and a mangled one is bad input.
  }
  throw ValidationError.field('cursor', 'is not a cursor this list gave out');
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Given limit+1 rows, the page and the cursor of the next one (a time cursor, or any other with its
 * encoder: a directory's text cursor).
 */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor): Page<T>;
export function pageOf<T, C>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => C,
  encode: (cursor: C) => string,
): Page<T>;
export function pageOf<T, C>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => C,
  encode?: (cursor: C) => string,
): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  if (rows.length <= limit || last === undefined) return { data, nextCursor: null };
  const cursor = cursorOf(last);
  // Without an encoder the first signature applies: the cursor is a time cursor.
  return { data, nextCursor: encode ? encode(cursor) : encodeCursor(cursor as Cursor) };
}

/** A cursor over (a text key, id), for lists in alphabetical order (a directory by name). */
export interface TextCursor {
  key: string;
  id: string;
}

export function encodeTextCursor(cursor: TextCursor): string {
  return Buffer.from(JSON.stringify(['t', cursor.key, cursor.id])).toString('base64url');
}

export function decodeTextCursor(value: string | undefined | null): TextCursor | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed[0] === 't' &&
      typeof parsed[1] === 'string' &&
      parsed[1].length <= 400 &&
      typeof parsed[2] === 'string' &&
      parsed[2].length <= 64
    ) {
      return { key: parsed[1], id: parsed[2] };
    }
  } catch {
    // Falls through: a mangled cursor is bad input.
  }
  throw ValidationError.field('cursor', 'is not a cursor this list gave out');
}
