// What the public offer pages show, from what is stored: the offer as a visitor sees it, the page's
// meta (title, description, share image), and the words of an error page. Pure: no request, no I/O.
import type { PublicOffer } from '../../pages/blocks.tsx';
import type { PageMeta } from '../../pages/offer-pages.tsx';
import { type Actor, isStaffRole } from '../../platform/actor.ts';
import { mediaUrl } from '../../platform/media.ts';
import { type OfferRow, priceLabel, pricingOf, trialLabel } from '../offers/index.ts';

/** The offer as its public pages show it; `ref` rides along to checkout when a visit came through one. */
export function publicOfferOf(
  row: OfferRow,
  groups: { name: string; emoji: string | null; visibility: string }[],
  ref: string | null,
): PublicOffer {
  const pricing = pricingOf(row);
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    priceLabel: priceLabel(pricing),
    trialLabel: trialLabel(pricing),
    isFree: pricing.model === 'free',
    coverUrl: mediaUrl(row.coverPath),
    thumbnailUrl: mediaUrl(row.thumbnailPath),
    checkoutUrl: `/checkout/${row.slug}${ref ? `?ref=${encodeURIComponent(ref)}` : ''}`,
    grants: groups.map(({ name, emoji, visibility }) => ({ name, emoji, hidden: visibility === 'hidden' })),
  };
}

/** An offer page's title, description and share image (absolute URLs, for link previews). */
export function offerPageMeta(
  row: OfferRow,
  page: {
    path: string;
    description?: string | undefined;
    platformName: string;
    publicUrl: string;
    demo: boolean;
    viewer?: Actor | null;
    legal?: { termsUrl: string | null; privacyUrl: string | null };
  },
): PageMeta {
  const image = mediaUrl(row.coverPath ?? row.thumbnailPath);
  return {
    title: row.title,
    description:
      row.description ||
      page.description ||
      `${row.title} · ${priceLabel(pricingOf(row))} · ${page.platformName}`,
    url: `${page.publicUrl}${page.path}`,
    imageUrl: image ? `${page.publicUrl}${image}` : null,
    platformName: page.platformName,
    demo: page.demo,
    viewer: viewerOf(page.viewer ?? null),
    legal: page.legal ?? { termsUrl: null, privacyUrl: null },
  };
}

/** The signed-in visitor as the public pages' top bar shows them: their name, and where they belong. */
export function viewerOf(actor: Actor | null): PageMeta['viewer'] {
  if (!actor) return null;
  const staff = isStaffRole(actor.role);
  return {
    name: actor.name || actor.email,
    href: staff ? '/admin' : '/hub',
    place: staff ? 'Dashboard' : 'Your hub',
  };
}

/** The heading and text of an error page: a 404 says the offer may be gone, a 5xx never shows why. */
export function errorPageWords(status: number, message: string, requestId: string) {
  return {
    heading:
      status === 404
        ? 'This page does not exist'
        : status < 500
          ? 'This did not work'
          : 'Something went wrong on our side',
    body:
      status === 404
        ? 'The offer may have been unpublished, or the link is mistyped.'
        : status < 500
          ? message
          : `Try again in a moment (request ${requestId}).`,
  };
}
