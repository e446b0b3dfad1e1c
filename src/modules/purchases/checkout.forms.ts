// The public pages' forms as a browser posts them (application/x-www-form-urlencoded): every field is
// text and any may be missing; the services say what is wrong with them, and the page shows it beside
// the field. The bounds are far above what a person types, so only a forged post meets them.
import { type Static, Type } from 'typebox';

const Field = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

/** POST /checkout/:slug — join a free offer, or start paying for a paid one. */
export const CheckoutFormBody = Type.Object({
  email: Field(1000),
  name: Field(1000),
  /** The referral code from the link, carried in the form so a blocked cookie does not lose it. */
  ref: Field(200),
  /** The signed-in browser's CSRF token (a visitor without a session sends none). */
  csrf: Field(200),
});
export type CheckoutFormBody = Static<typeof CheckoutFormBody>;

/** POST /checkout/claim — confirm joining with the link emailed to an existing account. */
export const ClaimFormBody = Type.Object({ token: Field(500), csrf: Field(200) });
export type ClaimFormBody = Static<typeof ClaimFormBody>;
