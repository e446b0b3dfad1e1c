// The public pages of an offer, rendered on the server to plain HTML: readable without JavaScript,
// light on a slow phone. The only script is our own offer-page.client.js, for the custom-code frame.

import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { type Block, GrantList, LandingBlocks, type PublicOffer } from './blocks.tsx';

export interface PageAssets {
  cssUrl: string;
  scriptUrl: string;
}

export interface PageMeta {
  title: string;
  description: string;
  /** Absolute URL of the page and of its share image. */
  url: string;
  imageUrl: string | null;
  platformName: string;
  /** `guildhall demo`: every page says payments are simulated. */
  demo?: boolean;
  /** The signed-in visitor: the top bar names them and leads to their hub (or the dashboard). */
  viewer?: { name: string; href: string; place: string } | null;
  /** The creator's terms and privacy policy (Settings), linked at the foot of the page. */
  legal?: { termsUrl: string | null; privacyUrl: string | null };
}

interface ShellProps {
  meta: PageMeta;
  assets: PageAssets;
  preview: boolean;
  children: ReactNode;
  customCode?: { src: string; conversion: unknown | null } | null;
}

function Shell({ meta, assets, preview, children, customCode }: ShellProps) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${meta.title} · ${meta.platformName}`}</title>
        <meta name="description" content={meta.description} />
        {preview && <meta name="robots" content="noindex" />}
        <meta property="og:type" content="website" />
        <meta property="og:site_name" content={meta.platformName} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:url" content={meta.url} />
        {meta.imageUrl && <meta property="og:image" content={meta.imageUrl} />}
        <meta name="twitter:card" content={meta.imageUrl ? 'summary_large_image' : 'summary'} />
        <meta name="twitter:title" content={meta.title} />
        <meta name="twitter:description" content={meta.description} />
        {meta.imageUrl && <meta name="twitter:image" content={meta.imageUrl} />}
        <link rel="canonical" href={meta.url} />
        <link rel="stylesheet" href={assets.cssUrl} />
      </head>
      <body className="op-page">
        <div className="op-wrap">
          <div className="op-topbar">
            <a href="/">{meta.platformName}</a>
            {meta.viewer ? (
              <a className="op-muted" href={meta.viewer.href}>
                {meta.viewer.name} · {meta.viewer.place}
              </a>
            ) : (
              <a className="op-muted" href="/login">
                Sign in
              </a>
            )}
          </div>
          {meta.demo && (
            <div className="op-preview-banner" role="note">
              Demo: payments are simulated. Pay with the test card 4242 4242 4242 4242, any future date, any
              CVC.
            </div>
          )}
          {preview && (
            <div className="op-preview-banner" role="status">
              Preview: only admins see this page until the offer is published.
            </div>
          )}
          {children}
          {(meta.legal?.termsUrl || meta.legal?.privacyUrl) && (
            <footer className="op-footer">
              {meta.legal.termsUrl && (
                <a href={meta.legal.termsUrl} rel="noopener">
                  Terms
                </a>
              )}
              {meta.legal.privacyUrl && (
                <a href={meta.legal.privacyUrl} rel="noopener">
                  Privacy
                </a>
              )}
            </footer>
          )}
        </div>
        {customCode && (
          <>
            <iframe
              className="op-custom-code"
              title="Offer scripts"
              src={customCode.src}
              sandbox="allow-scripts allow-popups"
              referrerPolicy="no-referrer"
              data-custom-code=""
              data-conversion={customCode.conversion ? JSON.stringify(customCode.conversion) : undefined}
            />
            <script src={assets.scriptUrl} defer />
          </>
        )}
      </body>
    </html>
  );
}

function page(element: ReactNode): string {
  return `<!doctype html>${renderToStaticMarkup(element)}`;
}

export interface CheckoutForm {
  email: string;
  name: string;
  ref: string | null;
  csrf: string | null;
  errors: Record<string, string>;
  formError: string | null;
  notice: string | null;
  signedInAs: { name: string; email: string } | null;
}

export interface OfferPageInput {
  offer: PublicOffer;
  meta: PageMeta;
  assets: PageAssets;
  preview: boolean;
  customCodeSrc: string | null;
}

/** A field's problem as the visitor reads it: "Enter your email", not "Email is required". */
function inPeoplesWords(label: string, message: string): string {
  if (message === 'is required') return `Enter your ${label.toLowerCase()}`;
  if (message === 'must be an email address') return 'Enter an email address, like name@example.com';
  return `${label} ${message}`;
}

export function renderCheckoutPage(input: OfferPageInput & { form: CheckoutForm; canBuy: boolean }): string {
  const { offer, form } = input;
  const field = (name: 'email' | 'name', label: string, type: string, autoComplete: string) => (
    <div>
      <label htmlFor={`checkout-${name}`}>{label}</label>
      <input
        id={`checkout-${name}`}
        name={name}
        type={type}
        autoComplete={autoComplete}
        required
        maxLength={name === 'email' ? 254 : 120}
        defaultValue={form[name]}
        aria-invalid={form.errors[name] ? 'true' : undefined}
        aria-describedby={form.errors[name] ? `checkout-${name}-error` : undefined}
      />
      {form.errors[name] && (
        <div className="op-field-error" id={`checkout-${name}-error`}>
          {inPeoplesWords(label, form.errors[name])}
        </div>
      )}
    </div>
  );
  return page(
    <Shell
      meta={input.meta}
      assets={input.assets}
      preview={input.preview}
      customCode={input.customCodeSrc ? { src: input.customCodeSrc, conversion: null } : null}
    >
      <main className="op-checkout">
        <div>{offer.coverUrl ? <img className="op-cover" src={offer.coverUrl} alt="" /> : null}</div>
        <section className="op-card" aria-labelledby="offer-title">
          {offer.thumbnailUrl && <img className="op-thumb" src={offer.thumbnailUrl} alt="" />}
          <h1 id="offer-title">{offer.title}</h1>
          {offer.description && <p className="op-description">{offer.description}</p>}
          <div className="op-price-line">{offer.priceLabel}</div>
          {offer.trialLabel && <div className="op-trial">{offer.trialLabel}</div>}
          {offer.grants.length > 0 && (
            <>
              <div className="op-muted">What you get:</div>
              <GrantList grants={offer.grants} />
            </>
          )}
          {form.notice && (
            <div className="op-notice" role="status">
              {form.notice}
            </div>
          )}
          {form.formError && (
            <div className="op-alert" role="alert">
              {form.formError}
            </div>
          )}
          {offer.owned ? (
            <p>
              <span className="op-muted">You have this membership. </span>
              <a className="op-button" href={offer.owned.href}>
                {offer.owned.label}
              </a>
            </p>
          ) : input.canBuy ? (
            <form
              className="op-form"
              method="post"
              action={`/checkout/${offer.slug}${input.preview ? '?preview=1' : ''}`}
              noValidate
            >
              {form.signedInAs ? (
                <p className="op-muted">
                  {offer.isFree ? 'Joining' : 'Buying'} as <strong>{form.signedInAs.name}</strong> (
                  {form.signedInAs.email}).
                </p>
              ) : (
                <>
                  {field('email', 'Email', 'email', 'email')}
                  {field('name', 'Name', 'text', 'name')}
                </>
              )}
              {form.ref && <input type="hidden" name="ref" value={form.ref} />}
              {form.csrf && <input type="hidden" name="csrf" value={form.csrf} />}
              <button className="op-button" type="submit">
                {offer.isFree ? 'Join for free' : `Buy now · ${offer.priceLabel}`}
              </button>
              {!form.signedInAs && (
                <p className="op-muted op-signin-hint">
                  Already a member?{' '}
                  <a href={`/login?next=${encodeURIComponent(`/checkout/${offer.slug}`)}`}>Sign in</a>
                </p>
              )}
            </form>
          ) : (
            <p className="op-muted">
              {offer.isFree
                ? 'This offer is not open to new members.'
                : 'Payments for this offer open once the creator connects Stripe.'}
            </p>
          )}
        </section>
      </main>
    </Shell>,
  );
}

export function renderLandingPage(input: OfferPageInput & { blocks: Block[] }): string {
  return page(
    <Shell
      meta={input.meta}
      assets={input.assets}
      preview={input.preview}
      customCode={input.customCodeSrc ? { src: input.customCodeSrc, conversion: null } : null}
    >
      <main>
        <LandingBlocks blocks={input.blocks} offer={input.offer} />
      </main>
    </Shell>,
  );
}

/**
 * After a join, when the creator's code is to hear of it: a confirmation with the next step as a link
 * (no timed redirect: the buyer goes on when they are ready, and the code has the time it needs).
 */
export function renderJoinedPage(
  input: OfferPageInput & { destination: string; alreadyMember: boolean; conversion: unknown },
): string {
  return page(
    <Shell
      meta={input.meta}
      assets={input.assets}
      preview={false}
      customCode={input.customCodeSrc ? { src: input.customCodeSrc, conversion: input.conversion } : null}
    >
      <main className="op-card">
        <h1>
          {input.alreadyMember ? `You already have ${input.offer.title}` : `Welcome to ${input.offer.title}!`}
        </h1>
        <p>You’re signed in. We also emailed you a link that signs you in once within the next 7 days.</p>
        <p>
          <a className="op-button" href={input.destination}>
            Continue
          </a>
        </p>
      </main>
    </Shell>,
  );
}

export function renderMessagePage(input: {
  meta: PageMeta;
  assets: PageAssets;
  heading: string;
  body: string;
  action?: { label: string; href: string };
  form?: { action: string; fields: Record<string, string>; button: string };
}): string {
  return page(
    <Shell meta={input.meta} assets={input.assets} preview={false}>
      <main className="op-card">
        <h1>{input.heading}</h1>
        <p>{input.body}</p>
        {input.form && (
          <form method="post" action={input.form.action}>
            {Object.entries(input.form.fields).map(([name, value]) => (
              <input key={name} type="hidden" name={name} value={value} />
            ))}
            <button className="op-button" type="submit">
              {input.form.button}
            </button>
          </form>
        )}
        {input.action && (
          <p>
            <a className="op-button" href={input.action.href}>
              {input.action.label}
            </a>
          </p>
        )}
      </main>
    </Shell>,
  );
}

/** The branded page a browser gets for a path that does not exist, with a way back. */
export function renderNotFoundPage(input: { platformName: string; url: string; assets: PageAssets }): string {
  return renderMessagePage({
    meta: {
      title: 'Page not found',
      description: '',
      url: input.url,
      imageUrl: null,
      platformName: input.platformName,
    },
    assets: input.assets,
    heading: 'This page does not exist',
    body: 'The link may be mistyped, or what it led to has moved or been removed.',
    action: { label: `Go to ${input.platformName}`, href: '/' },
  });
}
