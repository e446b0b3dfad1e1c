import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { publicPageFiles } from '../../pages/assets.ts';
import type { Block } from '../../pages/blocks.tsx';
import { memoizedRender } from '../../pages/memoized.ts';
import {
  type CheckoutForm,
  type PageMeta,
  renderCheckoutPage,
  renderJoinedPage,
  renderLandingPage,
  renderMessagePage,
} from '../../pages/offer-pages.tsx';
import type { Actor } from '../../platform/actor.ts';
import type { Changes } from '../../platform/db/changes.ts';
import { AppError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { csrfTokenFor, formActor, setSessionCookies } from '../../platform/http/auth.ts';
import { appCsp } from '../../platform/http/security.ts';
import { lru } from '../../platform/lru.ts';
import { toMajor } from '../../platform/pricing.ts';
import type { LinkError } from '../accounts/index.ts';
import { type AffiliatesService, REF_COOKIE, referralCodeOf } from '../affiliates/index.ts';
import type { OfferRow, OffersService } from '../offers/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { CheckoutFormBody, ClaimFormBody } from './checkout.forms.ts';
import { errorPageWords, offerPageMeta, publicOfferOf } from './checkout.presenter.ts';
import type { CheckoutService } from './checkout.service.ts';
import type { PurchasesService } from './purchase.service.ts';

const CHECKOUT_COOKIE = 'gh_checkout';

export interface CheckoutRoutesDeps {
  offers: OffersService;
  purchases: PurchasesService;
  checkout: CheckoutService;
  /** Whether Stripe is connected and can take charges: paid offers can be bought. */
  paymentsOpen(): Promise<boolean>;
  settings: SettingsService;
  publicUrl: string;
  cookies: { secret: string; secureCookies: boolean };
  /** `guildhall demo`: the pages say payments are simulated. */
  demo?: boolean;
  /** Where Stripe's checkout pages live: the pay button's form leads there (CSP form-action). */
  checkoutOrigin: string;
  affiliates: Pick<AffiliatesService, 'recordClick' | 'cookieMaxAgeSeconds'>;
  /** Tells the kept visitor pages when offers, groups or settings change. */
  changes: Changes;
}

/** Where a page every anonymous visitor gets is kept, and the version of what it shows. */
interface Keep {
  key: string;
  version: number;
}

// The creator's code runs in a frame of its own, sandboxed to an opaque origin: it may load scripts
// from anywhere, but can never read our cookies or call our API as the visitor.
const CUSTOM_CODE_CSP =
  "sandbox allow-scripts allow-popups; default-src * data: blob: 'unsafe-inline' 'unsafe-eval'";

export function checkoutRoutes(deps: CheckoutRoutesDeps) {
  const { offers, purchases, checkout, settings, publicUrl, cookies } = deps;
  const { css, script, assets } = publicPageFiles();

  async function metaOf(
    row: OfferRow,
    path: string,
    viewer: Actor | null,
    description?: string,
  ): Promise<PageMeta> {
    const { platformName, termsUrl, privacyUrl } = await settings.getSettings();
    return offerPageMeta(row, {
      path,
      description,
      platformName,
      publicUrl,
      demo: deps.demo ?? false,
      viewer,
      legal: { termsUrl, privacyUrl },
    });
  }

  /** The referral code of this visit: the link's, else the one remembered from an earlier click. */
  function refOf(request: FastifyRequest): string | null {
    return (
      referralCodeOf((request.query as { ref?: unknown }).ref) ?? referralCodeOf(request.cookies[REF_COOKIE])
    );
  }

  /**
   * A visit through an affiliate's link: the click is counted once (a reload, or the landing page
   * leading on to checkout, is not a new click) and remembered in a first-party cookie; the last
   * click wins.
   */
  async function countReferral(request: FastifyRequest, reply: FastifyReply, offer: OfferRow): Promise<void> {
    const ref = referralCodeOf((request.query as { ref?: unknown }).ref);
    if (!ref || ref === request.cookies[REF_COOKIE]) return;
    if (
      !(await deps.affiliates.recordClick(ref, { id: offer.id, resellEnabled: Boolean(offer.resellEnabled) }))
    )
      return;
    reply.setCookie(REF_COOKIE, ref, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: cookies.secureCookies,
      maxAge: await deps.affiliates.cookieMaxAgeSeconds(),
    });
  }

  function wantsPreview(request: FastifyRequest): boolean {
    return (request.query as { preview?: unknown }).preview === '1';
  }

  /** The signed checkout cookie: only this browser sees the purchase's completion page. */
  function bindBrowserToPurchase(reply: FastifyReply, purchaseId: string): void {
    reply.setCookie(CHECKOUT_COOKIE, purchases.checkoutCookieFor(purchaseId), {
      path: '/checkout',
      httpOnly: true,
      sameSite: 'lax',
      secure: cookies.secureCookies,
      // Long enough to pay on Stripe's page and come back; the return page needs it.
      maxAge: 24 * 3600,
    });
  }

  function metaOfRequest(request: FastifyRequest) {
    return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
  }

  async function messagePage(
    reply: FastifyReply,
    input: { title: string; heading: string; body: string; action?: { label: string; href: string } },
    status = 200,
  ) {
    const { platformName } = await settings.getSettings();
    const meta: PageMeta = {
      title: input.title,
      description: '',
      url: publicUrl,
      imageUrl: null,
      platformName,
    };
    return html(
      reply,
      renderMessagePage({
        meta,
        assets,
        heading: input.heading,
        body: input.body,
        action: input.action ?? { label: `Go to ${platformName}`, href: '/' },
      }),
      status,
    );
  }

  // A form's redirect counts as its target: without Stripe's origin, the browser stops the pay button.
  const pageCsp = appCsp([deps.checkoutOrigin]);
  // The public pages, kept per distinct input (src/pages/memoized.ts): a landing page or an empty
  // checkout form is rendered once per version of what it shows, not on every visit.
  const landingPage = memoizedRender(renderLandingPage);
  const checkoutFormPage = memoizedRender(renderCheckoutPage);

  // A plain visit — no session, no referral (by link or cookie), nothing in the query — gets the page
  // every such visitor gets: kept whole per address while nothing it shows has changed (the 'catalog'
  // topic: offers, the groups they open, the groups, the settings; src/platform/db/changes.ts), so it
  // runs no query at all. Any other visit is rendered for itself, as before.
  // Kept encoded: a visit sends the bytes as they are, with no encoding or length to work out again.
  const visitorPages = lru<{ version: number; body: Buffer }>(200);

  function keepFor(request: FastifyRequest, page: 'offer' | 'checkout', slug: string): Keep | null {
    if (request.actor || request.cookies[REF_COOKIE] !== undefined) return null;
    if (Object.keys(request.query as object).length > 0) return null;
    const version = deps.changes.version('catalog');
    return version === null ? null : { key: `${page}:${slug}`, version };
  }

  /** The kept page for this visit, if it is still what the visitor would get. */
  function keptPage(keep: Keep | null): Buffer | null {
    const kept = keep ? visitorPages.get(keep.key) : undefined;
    return kept && kept.version === keep?.version ? kept.body : null;
  }

  function html(reply: FastifyReply, page: string | Buffer, status = 200, keep: Keep | null = null) {
    let body = page;
    if (keep && status === 200) {
      body = Buffer.from(page);
      visitorPages.set(keep.key, { version: keep.version, body });
    }
    return reply
      .status(status)
      .header('content-security-policy', pageCsp)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(body);
  }

  async function checkoutPage(
    request: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    form: Partial<CheckoutForm> = {},
    status = 200,
    keep: Keep | null = null,
  ) {
    const { row, groups, isPreview } = await offers.publicOffer(slug, request.actor, wantsPreview(request));
    if (!isPreview) await countReferral(request, reply, row);
    const actor = request.actor;
    const offer = publicOfferOf(row, groups, form.ref ?? refOf(request));
    offer.owned = isPreview ? null : await purchases.ownedBy(actor, row);
    // A visitor's own form (their answers, their session's token) is rendered for them alone.
    const render = actor || Object.keys(form).length > 0 ? renderCheckoutPage : checkoutFormPage;
    // A preview shows the page a new visitor gets, form included; submitting it changes nothing.
    const visitor = isPreview ? null : actor;
    const page = render({
      offer,
      meta: await metaOf(row, `/offers/${row.slug}`, visitor),
      assets,
      preview: isPreview,
      customCodeSrc: row.customCode ? `/offers/${row.slug}/custom-code` : null,
      canBuy: row.pricingModel === 'free' || (await deps.paymentsOpen()),
      form: {
        email: '',
        name: '',
        ref: refOf(request),
        csrf: visitor?.sessionId ? csrfTokenFor(cookies.secret, visitor.sessionId) : null,
        errors: {},
        formError: null,
        notice: null,
        signedInAs: visitor ? { name: visitor.name, email: visitor.email } : null,
        ...form,
      },
    });
    return html(reply, page, status, keep);
  }

  return async (app: FastifyInstance) => {
    // These are pages for people: errors are pages too, in the one shape the API uses only for the API.
    app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
      const status = error instanceof AppError ? error.status : (error.statusCode ?? 500);
      if (status >= 500) request.log.error({ err: error, reqId: request.id }, 'unhandled error');
      const { platformName } = await settings.getSettings().catch(() => ({ platformName: 'Guildhall' }));
      const meta: PageMeta = {
        title: status === 404 ? 'Not found' : 'Something went wrong',
        description: '',
        url: `${publicUrl}${request.url}`,
        imageUrl: null,
        platformName,
      };
      return html(
        reply,
        renderMessagePage({
          meta,
          assets,
          ...errorPageWords(status, error.message, request.id),
          action: { label: `Go to ${platformName}`, href: '/' },
        }),
        status,
      );
    });

    app.get(`/public/pages.${css.hash}.css`, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type('text/css; charset=utf-8')
        .send(css.body),
    );
    app.get(`/public/offer-page.${script.hash}.js`, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type('text/javascript; charset=utf-8')
        .send(script.body),
    );

    app.get<{ Params: { slug: string } }>(
      '/offers/:slug',
      { schema: { hide: true } },
      async (request, reply) => {
        const keep = keepFor(request, 'offer', request.params.slug);
        const kept = keptPage(keep);
        if (kept !== null) return html(reply, kept);
        const { row, groups, isPreview } = await offers.publicOffer(
          request.params.slug,
          request.actor,
          wantsPreview(request),
        );
        const blocks = row.landingBlocks;
        if (!row.landingEnabled || blocks.length === 0)
          return checkoutPage(request, reply, request.params.slug, {}, 200, keep);
        if (!isPreview) await countReferral(request, reply, row);
        const offer = publicOfferOf(row, groups, refOf(request));
        offer.owned = isPreview ? null : await purchases.ownedBy(request.actor, row);
        if (isPreview) offer.checkoutUrl += `${offer.checkoutUrl.includes('?') ? '&' : '?'}preview=1`;
        const firstText = blocks.find(
          (b): b is Extract<Block, { type: 'hero' }> => b.type === 'hero',
        )?.subheading;
        // A signed-in visitor's page (their name, what they own) is rendered for them; only a
        // visitor's page is kept, so signed-in people do not push it out of the kept pages.
        const render = request.actor && !isPreview ? renderLandingPage : landingPage;
        return html(
          reply,
          render({
            offer,
            blocks,
            meta: await metaOf(
              row,
              `/offers/${row.slug}`,
              isPreview ? null : request.actor,
              firstText || undefined,
            ),
            assets,
            preview: isPreview,
            customCodeSrc: row.customCode ? `/offers/${row.slug}/custom-code` : null,
          }),
          200,
          keep,
        );
      },
    );

    app.get<{ Params: { slug: string } }>(
      '/checkout/:slug',
      { schema: { hide: true } },
      async (request, reply) => {
        const keep = keepFor(request, 'checkout', request.params.slug);
        const kept = keptPage(keep);
        if (kept !== null) return html(reply, kept);
        return checkoutPage(request, reply, request.params.slug, {}, 200, keep);
      },
    );

    app.get<{ Params: { slug: string } }>(
      '/offers/:slug/custom-code',
      { schema: { hide: true } },
      async (request, reply) => {
        const { row } = await offers.publicOffer(request.params.slug, request.actor, true);
        if (!row.customCode) throw new NotFoundError('No custom code.');
        return reply
          .header('content-security-policy', CUSTOM_CODE_CSP)
          .header('x-frame-options', 'SAMEORIGIN')
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(
            `<!doctype html><html><head><meta charset="utf-8"></head><body>${row.customCode}</body></html>`,
          );
      },
    );

    app.post<{ Params: { slug: string }; Body: CheckoutFormBody }>(
      '/checkout/:slug',
      { schema: { hide: true, body: CheckoutFormBody }, config: { formCsrf: true } },
      async (request, reply) => {
        const body = request.body ?? {};
        if (wantsPreview(request)) {
          // A preview's form, sent: never taken (even if the offer went live meanwhile), and the page
          // says so. Nobody else sees a draft's preview: checkoutPage answers them 404.
          return checkoutPage(request, reply, request.params.slug, {
            email: body.email ?? '',
            name: body.name ?? '',
            notice: 'This is a preview: nothing was sent, nobody joined and nobody paid.',
          });
        }
        const viewer = formActor(request, cookies.secret, body.csrf);
        // The code rides in the form, so it survives a blocked cookie; the cookie covers a form without it.
        const form = {
          email: body.email ?? '',
          name: body.name ?? '',
          ref: referralCodeOf(body.ref) ?? referralCodeOf(request.cookies[REF_COOKIE]),
        };
        try {
          const { row: offer } = await offers.publicOffer(request.params.slug, null, false);
          if (offer.pricingModel !== 'free') {
            const started = await checkout.startCheckout(
              request.params.slug,
              form,
              viewer,
              metaOfRequest(request),
            );
            if (started.kind === 'already_member') {
              return checkoutPage(request, reply, request.params.slug, {
                notice: started.emailed
                  ? `${started.emailed} already has this membership: we emailed it a link to sign in.`
                  : 'You already have this membership: nothing to pay.',
              });
            }
            bindBrowserToPurchase(reply, started.purchaseId);
            return reply.redirect(started.url, 303);
          }
          const outcome = await purchases.joinFreeOffer(request.params.slug, form, viewer, {
            ip: request.ip,
            userAgent: request.headers['user-agent'] ?? null,
          });
          if (outcome.kind === 'confirm_email') {
            return checkoutPage(request, reply, request.params.slug, {
              notice: `This address already has an account. We emailed ${outcome.email} a link: open it to confirm, and you're in.`,
            });
          }
          if (outcome.kind === 'already_member') {
            return checkoutPage(request, reply, request.params.slug, {
              notice: 'You already have this membership: nothing changed.',
            });
          }
          if (outcome.session) setSessionCookies(reply, cookies, outcome.session);
          bindBrowserToPurchase(reply, outcome.purchase.id);
          return reply.redirect(
            `/checkout/${request.params.slug}/complete?purchase=${outcome.purchase.id}`,
            303,
          );
        } catch (error) {
          if (error instanceof ValidationError) {
            const fields = (error.details as { fields: { field: string; message: string }[] }).fields;
            return checkoutPage(
              request,
              reply,
              request.params.slug,
              { ...form, errors: Object.fromEntries(fields.map((f) => [f.field, f.message])) },
              400,
            );
          }
          if (error instanceof AppError && error.status < 500 && error.status !== 404) {
            return checkoutPage(
              request,
              reply,
              request.params.slug,
              { ...form, formError: error.message },
              error.status,
            );
          }
          throw error;
        }
      },
    );

    app.get<{ Params: { slug: string }; Querystring: { purchase?: string } }>(
      '/checkout/:slug/complete',
      { schema: { hide: true } },
      async (request, reply) => {
        const { row, groups } = await offers.publicOffer(request.params.slug, request.actor, true);
        const purchase = await purchases.purchaseOfBrowser(
          request.cookies[CHECKOUT_COOKIE],
          String(request.query.purchase ?? ''),
          row.id,
        );
        // Only the browser that made this offer's purchase sees this page; a leaked URL shows nothing.
        if (!purchase) return reply.redirect('/hub', 303);
        const destination = await purchases.destinationOf(row);
        // The creator's code hears of a conversion once: a reload or a second visit goes straight on.
        if (!row.customCode || !(await purchases.takeConversion(purchase.id)))
          return reply.redirect(destination, 303);
        return html(
          reply,
          renderJoinedPage({
            offer: publicOfferOf(row, groups, null),
            meta: await metaOf(row, `/offers/${row.slug}`, request.actor),
            assets,
            preview: false,
            customCodeSrc: `/offers/${row.slug}/custom-code`,
            destination,
            alreadyMember: false,
            conversion: {
              event: Number(purchase.amountMinor) > 0 ? 'purchase' : 'join',
              offer: row.slug,
              value: toMajor(Number(purchase.amountMinor), purchase.currency),
              currency: purchase.currency,
            },
          }),
        );
      },
    );

    app.get<{ Querystring: { session_id?: string } }>(
      '/checkout/return',
      { schema: { hide: true } },
      async (request, reply) => {
        const sessionId = String(request.query.session_id ?? '');
        if (!/^cs_[A-Za-z0-9_]{1,250}$/.test(sessionId)) throw new NotFoundError('No such checkout.');
        const back = await checkout.returnFromCheckout(
          sessionId,
          request.cookies[CHECKOUT_COOKIE],
          request.actor,
          metaOfRequest(request),
        );
        if (back.kind === 'still_open') return reply.redirect(back.url, 303);
        if (back.kind === 'not_paid') return reply.redirect(`/checkout/${back.slug}`, 303);
        if (back.kind === 'confirm_email') {
          return messagePage(reply, {
            title: 'Payment received',
            heading: 'Payment received: one more step',
            // The return URL may be seen by others (history, a shared screen): it names no address.
            body: 'The address you paid with already has an account here. We emailed it a link: open it to add this membership to that account.',
          });
        }
        if (back.kind === 'check_email') {
          return messagePage(reply, {
            title: 'Payment received',
            heading: "Payment received: you're in",
            body: 'We emailed the address you paid with a link to sign in.',
            action: { label: 'Sign in', href: '/login' },
          });
        }
        if (back.signIn) setSessionCookies(reply, cookies, back.signIn);
        const row = await offers.offerRow(back.purchase.offerId);
        return reply.redirect(`/checkout/${row.slug}/complete?purchase=${back.purchase.id}`, 303);
      },
    );

    app.get<{ Querystring: { token?: string } }>(
      '/checkout/claim',
      { schema: { hide: true } },
      async (request, reply) => {
        const { platformName } = await settings.getSettings();
        const meta: PageMeta = {
          title: 'Confirm joining',
          description: '',
          url: `${publicUrl}/checkout/claim`,
          imageUrl: null,
          platformName,
        };
        // The click is the confirmation: mail scanners that open links must not use them up.
        return html(
          reply,
          renderMessagePage({
            meta,
            assets,
            heading: 'Confirm joining',
            body: 'Confirm that you want this membership added to your account. You will be signed in.',
            form: {
              action: '/checkout/claim',
              fields: { token: String(request.query.token ?? '') },
              button: 'Confirm and join',
            },
          }),
        );
      },
    );

    app.post<{ Body: ClaimFormBody }>(
      '/checkout/claim',
      { schema: { hide: true, body: ClaimFormBody }, config: { formCsrf: true } },
      async (request, reply) => {
        const token = request.body?.token ?? '';
        const { platformName } = await settings.getSettings();
        const meta: PageMeta = {
          title: 'Confirm joining',
          description: '',
          url: `${publicUrl}/checkout/claim`,
          imageUrl: null,
          platformName,
        };
        try {
          const result = await purchases.claimPurchase(token, {
            ip: request.ip,
            userAgent: request.headers['user-agent'] ?? null,
          });
          setSessionCookies(reply, cookies, result.session);
          bindBrowserToPurchase(reply, result.purchase.id);
          return reply.redirect(
            `/checkout/${result.offer.slug}/complete?purchase=${result.purchase.id}`,
            303,
          );
        } catch (error) {
          if (
            error instanceof AppError &&
            ['link_expired', 'link_used', 'link_invalid'].includes(error.code)
          ) {
            return html(
              reply,
              renderMessagePage({
                meta,
                assets,
                heading: (error as LinkError).message,
                body: 'Open the offer page again and join with your email: we will send a new link.',
                action: { label: `Go to ${platformName}`, href: '/' },
              }),
              400,
            );
          }
          throw error;
        }
      },
    );
  };
}
