// Schemas shared by every module's routes; they validate input and produce the OpenAPI document.
import { type TSchema, Type } from 'typebox';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination.ts';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable snake_case code' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { description: 'Every error has this shape.' },
);

export const ListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
  search: Type.Optional(Type.String({ maxLength: 200 })),
});

/**
 * Text the rules trim before their limit applies (names, titles, subjects): the schema's bound leaves
 * this much room for the spaces, so "    Yoga" at the limit is not refused for its padding.
 */
export const TRIM_ROOM = 20;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

/** The error responses a route may give, for the OpenAPI document. */
export function errors(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorResponse]));
}

export const NoContent = Type.Null({ description: 'No content' });
export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** Who may enter a hub group: everyone signed in, those with access, or those with access who know it. */
export const Visibility = Type.Enum(['public', 'private', 'hidden'], { description: 'Who may enter' });
