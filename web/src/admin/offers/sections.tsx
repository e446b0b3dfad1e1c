// The offer form's sections, in the reference page's order and words: Title, Pricing Model,
// Community Permissions, Thumbnail, Cover, Confirmation Email, Purchase Destination, Customer Resell
// Rights, Custom Code.
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  formatMoney,
  isZeroDecimal,
  minimumCharge,
  priceLabel,
  trialLabel,
} from '../../../../src/platform/pricing.ts';
import { api, type HubGroup, type StripeStatus } from '../../api.ts';
import { fieldMessage, Notice, SelectField, TextAreaField, TextField, useAction } from '../../forms.tsx';
import { VisibilityBadge } from '../../hub-common.tsx';
import { useSession } from '../../session.tsx';
import { useDebounced } from '../../ui.tsx';
import { StripeAccountSummary, StripeConnectForm } from '../stripe-connect.tsx';
import {
  currencyOptions,
  type Draft,
  imageProblem,
  type Offer,
  offerPath,
  pricingOf,
  slugify,
  uploadOfferMedia,
} from './model.ts';

export type Update = (patch: Partial<Draft>) => void;
type Fields = Record<string, string>;

/** A card with a heading; `id` lets error summaries link to it. */
export function Section({
  id,
  title,
  children,
  intro,
}: {
  id: string;
  title: string;
  intro?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="card section offer-section" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {intro && <p className="muted">{intro}</p>}
      {children}
    </section>
  );
}

/** A checkbox with its label beside it and an optional line that explains it. */
export function Toggle({
  label,
  checked,
  onChange,
  hint,
  disabled = false,
  error,
}: {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  hint?: ReactNode;
  disabled?: boolean;
  error?: string | undefined;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`offer-toggle${error ? ' field-invalid' : ''}`}>
      <input
        type="checkbox"
        id={id}
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={describedBy || undefined}
        aria-invalid={error ? true : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {fieldMessage(label, error)}
        </span>
      )}
    </div>
  );
}

// --- Title and URL ----------------------------------------------------------------------------

export function TitleSection({ draft, update, fields }: { draft: Draft; update: Update; fields: Fields }) {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const url = `${origin}/offers/${draft.slug || '…'}`;
  return (
    <Section id="offer-title" title="Title">
      <TextField
        label="Title"
        name="title"
        value={draft.title}
        onValue={(title) => update(draft.slugFollowsTitle ? { title, slug: slugify(title) } : { title })}
        error={fields.title}
        hint="Enter a title for your membership offer."
        maxLength={120}
        autoComplete="off"
        required
      />
      <TextField
        label="URL slug"
        name="slug"
        value={draft.slug}
        onValue={(slug) => update({ slug, slugFollowsTitle: false })}
        error={fields.slug}
        hint={
          <>
            The offer's public address: <span className="offer-url">{url}</span>
            {draft.slugFollowsTitle ? ' (follows the title until you edit it)' : ''}
          </>
        }
        maxLength={60}
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="none"
      />
    </Section>
  );
}

// --- Pricing ----------------------------------------------------------------------------------

export interface SaveProblem {
  code: string | null;
  message: string | null;
  details: unknown;
}

/** Connecting Stripe without leaving the editor: nothing typed here is lost. */
function ConnectStripeInPlace({ onConnected }: { onConnected?: (() => void) | undefined }) {
  const { me } = useSession();
  const [connected, setConnected] = useState<StripeStatus | null>(null);
  if (connected) {
    return (
      <div className="alert alert-success offer-stripe" role="status">
        <StripeAccountSummary status={connected} />
        <p>
          <strong>Stripe is connected.</strong> Save again to finish.
        </p>
      </div>
    );
  }
  return (
    <div className="alert alert-warning offer-stripe" role="alert">
      <p>
        <strong>Connect Stripe to sell this offer.</strong> Buyers pay on Stripe's page and the money goes to
        your Stripe account. Free offers work without Stripe.
      </p>
      {me?.role === 'owner' ? (
        <StripeConnectForm
          nested
          onConnected={(status) => {
            setConnected(status);
            onConnected?.();
          }}
        />
      ) : (
        <p>Only the owner can connect Stripe: ask them to open Settings → Stripe.</p>
      )}
    </div>
  );
}

function StripeProblem({
  problem,
  onConnected,
}: {
  problem: SaveProblem;
  onConnected?: (() => void) | undefined;
}) {
  if (problem.code === 'stripe_not_connected') return <ConnectStripeInPlace onConnected={onConnected} />;
  if (problem.code === 'stripe_charges_disabled') {
    const details = (problem.details ?? {}) as { requirements?: string[]; dashboardUrl?: string };
    return (
      <div className="alert alert-warning offer-stripe" role="alert">
        <p>
          <strong>Stripe cannot take payments for your account yet.</strong> {problem.message}
        </p>
        {details.requirements && details.requirements.length > 0 && (
          <>
            <p>What Stripe still needs:</p>
            <ul>
              {details.requirements.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          </>
        )}
        {details.dashboardUrl && (
          <p>
            <a href={details.dashboardUrl} target="_blank" rel="noopener noreferrer">
              Open your Stripe dashboard
            </a>{' '}
            to finish the verification, then save again.
          </p>
        )}
      </div>
    );
  }
  if (problem.code === 'price_below_minimum') {
    return (
      <div className="alert alert-error offer-stripe" role="alert">
        <p>{problem.message}</p>
      </div>
    );
  }
  return null;
}

const UNITS = { week: ['week', 'weeks'], month: ['month', 'months'], year: ['year', 'years'] } as const;

export function PricingSection({
  draft,
  update,
  fields,
  problem,
  saved = null,
  onStripeConnected,
}: {
  draft: Draft;
  update: Update;
  fields: Fields;
  problem: SaveProblem;
  saved?: Offer | null;
  /** Stripe was connected in place: the save's old error no longer holds. */
  onStripeConnected?: () => void;
}) {
  const minimum = formatMoney(minimumCharge(draft.currency), draft.currency);
  const { pricing, problems } = pricingOf(draft);
  const [justConnected, setJustConnected] = useState(false);
  const priceChanged =
    saved !== null &&
    (pricing.amountMinor !== saved.pricing.amountMinor ||
      pricing.currency !== saved.pricing.currency ||
      pricing.interval !== saved.pricing.interval ||
      pricing.intervalCount !== saved.pricing.intervalCount);
  const readable =
    Object.keys(problems).length === 0 && (pricing.model === 'free' || pricing.amountMinor > 0);
  const trial = trialLabel(pricing);
  const plural = draft.intervalCount.trim() !== '1';
  return (
    <Section id="offer-pricing" title="Pricing Model">
      <div className="alert alert-info">
        <p>
          Before creating a paid digital offer, you must connect a Stripe account to your platform.{' '}
          <Link to="/admin/settings">Settings</Link>
        </p>
      </div>
      <StripeProblem
        problem={problem}
        onConnected={() => {
          setJustConnected(true);
          onStripeConnected?.();
        }}
      />
      {justConnected && !problem.code && <Notice>Stripe is connected. Save again to finish.</Notice>}
      <fieldset className={`field radio-field${fields['pricing.model'] ? ' field-invalid' : ''}`}>
        <legend>Choose a pricing model</legend>
        <PricingOption
          value="one_time"
          label="One-Time Payment"
          hint={`Buyers pay once and keep access. Minimum ${minimum}.`}
          draft={draft}
          update={update}
        />
        <PricingOption
          value="recurring"
          label="Recurring Payment"
          hint={`Buyers pay every week, month or year, optionally after a free trial. Minimum ${minimum}.`}
          draft={draft}
          update={update}
        />
        <PricingOption
          value="free"
          label="Free"
          hint="The membership is available at no cost; joining needs only a name and an email."
          draft={draft}
          update={update}
        />
        {fields['pricing.model'] && (
          <p className="field-error">{fieldMessage('Pricing model', fields['pricing.model'])}</p>
        )}
      </fieldset>

      {draft.model !== 'free' && (
        <div className="form-row offer-price-row">
          <SelectField
            label="Currency"
            name="currency"
            value={draft.currency}
            onValue={(currency) => update({ currency })}
            options={currencyOptions(draft.currency)}
            error={fields['pricing.currency']}
          />
          <TextField
            label="Price"
            name="amount"
            value={draft.amount}
            onValue={(amount) => update({ amount })}
            error={fields['pricing.amountMinor']}
            hint={
              isZeroDecimal(draft.currency)
                ? `Minimum: ${minimum}. Whole amounts only (no decimals).`
                : `Minimum: ${minimum}.`
            }
            inputMode={isZeroDecimal(draft.currency) ? 'numeric' : 'decimal'}
            placeholder={isZeroDecimal(draft.currency) ? '500' : '9.99'}
            autoComplete="off"
            className="input-price"
          />
        </div>
      )}
      {draft.model === 'recurring' && (
        <>
          <fieldset className="field offer-interval">
            <legend>Billing period</legend>
            <div className="offer-interval-row">
              <TextField
                label="Every"
                name="intervalCount"
                value={draft.intervalCount}
                onValue={(intervalCount) => update({ intervalCount })}
                error={fields['pricing.intervalCount']}
                inputMode="numeric"
                autoComplete="off"
                className="input-short"
              />
              <SelectField
                label="Period"
                name="interval"
                value={draft.interval}
                onValue={(interval) => update({ interval: interval as Draft['interval'] })}
                error={fields['pricing.interval']}
                options={(['week', 'month', 'year'] as const).map((unit) => ({
                  value: unit,
                  label: UNITS[unit][plural ? 1 : 0],
                }))}
              />
            </div>
          </fieldset>
          <TextField
            label="Free trial (days)"
            name="trialDays"
            value={draft.trialDays}
            onValue={(trialDays) => update({ trialDays })}
            error={fields['pricing.trialDays']}
            hint="Optional. Leave empty for no trial; the first payment is taken when the trial ends."
            inputMode="numeric"
            autoComplete="off"
            className="input-short"
          />
        </>
      )}
      <p className="offer-price-preview" aria-live="polite">
        Buyers see:{' '}
        <strong>{readable ? priceLabel(pricing) : draft.model === 'free' ? 'Free' : 'Enter a price'}</strong>
        {readable && trial ? ` · ${trial}` : ''}
      </p>
      {draft.model === 'recurring' && saved && saved.buyerCount > 0 && priceChanged && (
        <p className="alert alert-info" role="status">
          Existing subscribers keep paying {saved.priceLabel}; new buyers pay the new price.
        </p>
      )}
      {draft.model !== 'free' && (
        <>
          <Toggle
            label="Allow Stripe promotion codes"
            checked={draft.allowPromotionCodes}
            onChange={(allowPromotionCodes) => update({ allowPromotionCodes })}
            hint="Buyers can enter a promotion code you made in your Stripe dashboard."
          />
          <SelectField
            label="Refunds"
            name="refundPolicy"
            value={draft.refundPolicy}
            onValue={(value) => update({ refundPolicy: value as Draft['refundPolicy'] })}
            options={[
              { value: 'full', label: 'A full refund ends access (a partial one keeps it)' },
              { value: 'any', label: 'Any refund ends access' },
              { value: 'never', label: 'Refunds never end access' },
            ]}
          />
          <p className="field-hint">
            What happens to a buyer's groups when you refund them, here or in Stripe. A dispute always ends
            access until it is won.
          </p>
        </>
      )}
    </Section>
  );
}

function PricingOption({
  value,
  label,
  hint,
  draft,
  update,
}: {
  value: Draft['model'];
  label: string;
  hint: string;
  draft: Draft;
  update: Update;
}) {
  const id = useId();
  return (
    <div className="radio-option">
      <input
        type="radio"
        id={id}
        name="pricingModel"
        value={value}
        checked={draft.model === value}
        onChange={() => update({ model: value })}
        aria-describedby={`${id}-hint`}
      />
      <label htmlFor={id}>{label}</label>
      <span className="field-hint" id={`${id}-hint`}>
        {hint}
      </span>
    </div>
  );
}

// --- Community Permissions --------------------------------------------------------------------

export function PermissionsSection({
  groups,
  draft,
  update,
  fields,
}: {
  groups: HubGroup[] | undefined;
  draft: Draft;
  update: Update;
  fields: Fields;
}) {
  const error = fields.hubGroupIds;
  const toggle = (groupId: string, on: boolean) =>
    update({
      hubGroupIds: on
        ? [...draft.hubGroupIds.filter((id) => id !== groupId), groupId]
        : draft.hubGroupIds.filter((id) => id !== groupId),
    });
  return (
    <Section id="offer-permissions" title="Community Permissions">
      <fieldset
        className={`field offer-groups${error ? ' field-invalid' : ''}`}
        aria-describedby="offer-permissions-hint"
      >
        <legend>Hub groups buyers gain</legend>
        <p className="field-hint" id="offer-permissions-hint">
          Select which Hub group(s) purchasers of this offer will gain access to — at least one. Changing this
          later changes it for every existing buyer too.
        </p>
        {!groups ? (
          <p className="muted">Loading hub groups…</p>
        ) : groups.length === 0 ? (
          <p>
            No hub groups yet. <Link to="/admin/hub">Create one in Hub</Link>, then come back.
          </p>
        ) : (
          <ul className="offer-group-list">
            {groups.map((group) => {
              const inputId = `offer-group-${group.id}`;
              return (
                <li key={group.id}>
                  <input
                    type="checkbox"
                    id={inputId}
                    checked={draft.hubGroupIds.includes(group.id)}
                    onChange={(event) => toggle(group.id, event.target.checked)}
                  />
                  <label htmlFor={inputId}>
                    {group.emoji ? (
                      <span aria-hidden="true" className="offer-group-emoji">
                        {group.emoji}
                      </span>
                    ) : null}
                    {group.name}
                  </label>
                  <VisibilityBadge visibility={group.visibility} />
                </li>
              );
            })}
          </ul>
        )}
        {error && <p className="field-error">{fieldMessage('Community Permissions', error)}</p>}
      </fieldset>
    </Section>
  );
}

// --- Thumbnail and Cover ----------------------------------------------------------------------

export function MediaSection({
  kind,
  offer,
  onOffer,
  fields,
}: {
  kind: 'thumbnail' | 'cover';
  offer: Offer | null;
  onOffer(change: Partial<Offer>): void;
  fields: Fields;
}) {
  const action = useAction();
  const [inputKey, setInputKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const inputId = useId();
  const isThumb = kind === 'thumbnail';
  const label = isThumb ? 'Thumbnail' : 'Cover';
  const url = offer ? (isThumb ? offer.thumbnailUrl : offer.coverUrl) : null;
  const error = action.errors.fields.image ?? action.errors.fields[kind] ?? fields[kind];

  const upload = async (file: File | undefined) => {
    setNotice(null);
    if (!file || !offer) return;
    const problem = imageProblem(file);
    if (problem) {
      action.fail({ image: problem });
      setInputKey((n) => n + 1);
      return;
    }
    const result = await action.run(() => uploadOfferMedia(offer.id, kind, file));
    setInputKey((n) => n + 1);
    if (!result.ok) return;
    const saved = result.value.offer;
    onOffer(
      saved
        ? { thumbnailUrl: saved.thumbnailUrl, coverUrl: saved.coverUrl, updatedAt: saved.updatedAt }
        : { [isThumb ? 'thumbnailUrl' : 'coverUrl']: result.value.url },
    );
    setNotice(`The ${label.toLowerCase()} is saved.`);
  };

  const remove = async () => {
    if (!offer) return;
    setNotice(null);
    const result = await action.run(() => api.delete<Offer>(`${offerPath(offer.id)}/media/${kind}`));
    if (!result.ok) return;
    onOffer({
      thumbnailUrl: result.value.thumbnailUrl,
      coverUrl: result.value.coverUrl,
      updatedAt: result.value.updatedAt,
    });
    setNotice(`The ${label.toLowerCase()} is removed.`);
  };

  const otherMessage =
    action.errors.message && !error && action.errors.code !== 'client' ? action.errors.message : null;

  return (
    <Section
      id={`offer-${kind}`}
      title={isThumb ? 'Thumbnail' : 'Cover (Optional)'}
      intro={
        isThumb
          ? 'A thumbnail image that will be displayed on the checkout page. Required to publish. Shown square: the middle of the image is kept.'
          : 'A wide image beside the offer on the checkout page, and at the top of the landing page’s hero. Shown at 16:9: the middle is kept.'
      }
    >
      {notice && <Notice>{notice}</Notice>}
      {otherMessage && (
        <div className="alert alert-error" role="alert">
          <p>{otherMessage}</p>
        </div>
      )}
      <div className={`offer-media offer-media-${kind}`}>
        {url ? (
          <img
            className={`offer-media-preview offer-media-preview-${kind}`}
            src={url}
            alt={`${label} preview`}
          />
        ) : (
          <div className={`offer-media-preview offer-media-preview-${kind} offer-media-empty`}>
            <span>No {label.toLowerCase()}</span>
          </div>
        )}
        <div className={`field offer-media-field${error ? ' field-invalid' : ''}`}>
          <label htmlFor={inputId}>
            {url ? `Replace ${label.toLowerCase()}` : `Upload ${label.toLowerCase()}`}
          </label>
          <p className="field-hint" id={`${inputId}-hint`}>
            {offer
              ? `PNG, JPEG, WebP or GIF, at most 5 MB. ${isThumb ? 'Square works best.' : 'Wide works best, e.g. 1600 × 900.'}`
              : 'Save the draft first; then you can upload images.'}
          </p>
          <input
            key={inputKey}
            id={inputId}
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            disabled={!offer || action.pending}
            aria-describedby={error ? `${inputId}-hint ${inputId}-error` : `${inputId}-hint`}
            aria-invalid={error ? true : undefined}
            onChange={(event) => void upload(event.target.files?.[0])}
          />
          {action.pending && (
            <p className="muted" role="status">
              <span className="spinner" aria-hidden="true" /> Uploading…
            </p>
          )}
          {error && (
            <p className="field-error" id={`${inputId}-error`}>
              {fieldMessage(label, error)}
            </p>
          )}
          {url && (
            <div>
              <button
                type="button"
                className="button button-small button-danger-quiet"
                disabled={action.pending}
                onClick={() => void remove()}
              >
                Remove {label.toLowerCase()}
              </button>
            </div>
          )}
        </div>
      </div>
    </Section>
  );
}

// --- Confirmation Email -----------------------------------------------------------------------

export const EMAIL_VARIABLES = [
  'buyer_name',
  'offer_title',
  'platform_name',
  'login_link',
  'hub_link',
  'support_email',
] as const;
/** A sign-in link belongs in the body only: a subject is listed to every admin (the server refuses it). */
const BODY_ONLY_VARIABLES: readonly string[] = ['login_link'];

interface Rendered {
  subject: string;
  html: string;
  text: string;
}

export function EmailSection({
  offer,
  draft,
  update,
  fields,
}: {
  offer: Offer | null;
  draft: Draft;
  update: Update;
  fields: Fields;
}) {
  const { me } = useSession();
  const target = useRef<{
    el: HTMLInputElement | HTMLTextAreaElement;
    key: 'emailSubject' | 'emailBody';
  } | null>(null);
  const [targetKey, setTargetKey] = useState<'emailSubject' | 'emailBody'>('emailBody');
  const remember = (key: 'emailSubject' | 'emailBody') => (event: { currentTarget: EventTarget }) => {
    target.current = { el: event.currentTarget as HTMLInputElement | HTMLTextAreaElement, key };
    setTargetKey(key);
  };

  const insert = (name: string) => {
    const token = `{{${name}}}`;
    const current = target.current;
    const key = current?.key ?? 'emailBody';
    const value = draft[key];
    const el = current?.el;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    update({ [key]: value.slice(0, start) + token + value.slice(end) });
    if (el) {
      requestAnimationFrame(() => {
        el.focus();
        el.setSelectionRange(start + token.length, start + token.length);
      });
    }
  };

  return (
    <Section
      id="offer-email"
      title="Confirmation Email (Optional)"
      intro="Customize the email buyers receive after joining or buying. Leave both fields empty to send the default email, which welcomes them and links to sign in."
    >
      <TextField
        label="Subject"
        name="emailSubject"
        value={draft.emailSubject}
        onValue={(emailSubject) => update({ emailSubject })}
        onFocus={remember('emailSubject')}
        onSelect={remember('emailSubject')}
        error={fields['confirmationEmail.subject']}
        placeholder="Welcome to {{offer_title}}"
        maxLength={200}
        autoComplete="off"
      />
      <TextAreaField
        label="Body"
        name="emailBody"
        value={draft.emailBody}
        onValue={(emailBody) => update({ emailBody })}
        onFocus={remember('emailBody')}
        onSelect={remember('emailBody')}
        error={fields['confirmationEmail.body']}
        rows={8}
        hint="Plain text; a blank line starts a new paragraph and links become clickable."
      />
      <fieldset className="offer-variables">
        <legend className="offer-variables-label">Insert a variable (at the cursor):</legend>
        {EMAIL_VARIABLES.map((name) => {
          const bodyOnly = targetKey === 'emailSubject' && BODY_ONLY_VARIABLES.includes(name);
          return (
            <button
              key={name}
              type="button"
              className="offer-chip"
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => insert(name)}
              disabled={bodyOnly}
              title={bodyOnly ? 'A sign-in link can only go in the body' : undefined}
              aria-label={`Insert {{${name}}}`}
            >
              {`{{${name}}}`}
            </button>
          );
        })}
        {targetKey === 'emailSubject' && (
          <p className="muted">{'{{login_link}}'} signs the buyer in, so it can only go in the body.</p>
        )}
      </fieldset>
      {offer ? (
        <>
          <EmailPreview offerId={offer.id} subject={draft.emailSubject} body={draft.emailBody} />
          <TestEmail
            offerId={offer.id}
            subject={draft.emailSubject}
            body={draft.emailBody}
            initialTo={me?.email ?? ''}
          />
        </>
      ) : (
        <p className="muted">Save the draft to see a preview and send a test email.</p>
      )}
    </Section>
  );
}

function EmailPreview({ offerId, subject, body }: { offerId: string; subject: string; body: string }) {
  const settled = useDebounced(JSON.stringify({ subject, body }), 500);
  const [rendered, setRendered] = useState<Rendered | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    let live = true;
    const draft = JSON.parse(settled) as { subject: string; body: string };
    setLoading(true);
    api
      .post<Rendered>(`${offerPath(offerId)}/confirmation-email/preview`, {
        subject: draft.subject.trim() || null,
        body: draft.body.trim() || null,
      })
      .then(
        (value) => {
          if (!live) return;
          setRendered(value);
          setProblem(null);
          setLoading(false);
        },
        (error: unknown) => {
          if (!live) return;
          setProblem(error instanceof Error ? error.message : 'The preview is not available.');
          setLoading(false);
        },
      );
    return () => {
      live = false;
    };
  }, [offerId, settled]);

  return (
    <div className="offer-email-preview" aria-busy={loading || undefined}>
      <h3 className="offer-subhead">Preview</h3>
      <p className="muted">With sample values (buyer “Alex Example”). Updates as you type.</p>
      {problem && (
        <p className="field-error" role="status">
          {problem}
        </p>
      )}
      {rendered && (
        <div className="offer-email-frame-wrap">
          <p className="offer-email-subject">
            <span className="muted">Subject:</span> {rendered.subject}
          </p>
          {/* Empty sandbox: no scripts, no forms, no same-origin access. */}
          <iframe
            className="offer-email-frame"
            sandbox=""
            srcDoc={rendered.html}
            title="Confirmation email preview"
          />
        </div>
      )}
    </div>
  );
}

function TestEmail({
  offerId,
  subject,
  body,
  initialTo,
}: {
  offerId: string;
  subject: string;
  body: string;
  initialTo: string;
}) {
  const [to, setTo] = useState(initialTo);
  const [emailId, setEmailId] = useState<string | null>(null);
  const action = useAction();
  const send = async () => {
    setEmailId(null);
    const result = await action.run(() =>
      api.post<{ emailId: string }>(`${offerPath(offerId)}/confirmation-email/test`, {
        to,
        subject: subject.trim() || null,
        body: body.trim() || null,
      }),
    );
    if (result.ok) setEmailId(result.value.emailId);
  };
  const fields = action.errors.fields;
  const general = action.errors.message && !fields.to ? action.errors.message : null;
  return (
    <div className="offer-test-email">
      <div className="offer-test-row">
        <TextField
          label="Send a test to"
          name="testTo"
          type="email"
          value={to}
          onValue={(value) => {
            setTo(value);
            setEmailId(null);
          }}
          error={fields.to ?? fields.subject ?? fields.body}
          autoComplete="email"
          onKeyDown={(event) => {
            // Enter here sends the test, not the whole offer form.
            if (event.key === 'Enter') {
              event.preventDefault();
              void send();
            }
          }}
        />
        <button
          type="button"
          className="button"
          disabled={action.pending}
          aria-busy={action.pending || undefined}
          onClick={() => void send()}
        >
          Send test email
          {action.pending && <span className="spinner" aria-hidden="true" />}
        </button>
      </div>
      {general && (
        <div className="alert alert-error" role="alert">
          <p>{general}</p>
        </div>
      )}
      {emailId && (
        <Notice>
          The test email (as typed, saved or not) is on its way.{' '}
          <Link to={`/admin/emails/${encodeURIComponent(emailId)}`}>Open it in Emails</Link>
        </Notice>
      )}
    </div>
  );
}

// --- Purchase Destination ---------------------------------------------------------------------

export function DestinationSection({
  draft,
  update,
  fields,
}: {
  draft: Draft;
  update: Update;
  fields: Fields;
}) {
  return (
    <Section id="offer-destination" title="Purchase Destination">
      <p className="muted">
        By default, buyers are logged into the platform after completing the purchase and taken to the first
        hub group this offer grants.
      </p>
      <Toggle
        label="Redirect users to a custom link"
        checked={draft.redirect}
        onChange={(redirect) => update({ redirect })}
        hint="Send them to a page of yours instead, such as a thank-you page. They are still signed in here."
      />
      {draft.redirect && (
        <TextField
          label="Custom link"
          name="customUrl"
          type="url"
          value={draft.customUrl}
          onValue={(customUrl) => update({ customUrl })}
          error={fields['destination.customUrl']}
          hint="An http:// or https:// address."
          placeholder="https://"
          autoComplete="off"
          spellCheck={false}
        />
      )}
      {!draft.redirect && fields['destination.customUrl'] && (
        <p className="field-error">{fieldMessage('Custom link', fields['destination.customUrl'])}</p>
      )}
    </Section>
  );
}

// --- Customer Resell Rights -------------------------------------------------------------------

export function ResellSection({ draft, update, fields }: { draft: Draft; update: Update; fields: Fields }) {
  const free = draft.model === 'free';
  return (
    <Section id="offer-resell" title="Customer Resell Rights">
      <Toggle
        label="Enable customers to resell this offer for a commission"
        checked={draft.resellEnabled && !free}
        disabled={free}
        onChange={(resellEnabled) => update({ resellEnabled })}
        error={fields['resell.enabled']}
        hint={
          free
            ? 'Resell rights are for paid offers: a free offer earns no commission. Choose One-Time or Recurring Payment to enable them.'
            : 'An affiliate program for this offer: buyers share their link and earn a share of each sale.'
        }
      />
      {draft.resellEnabled && !free && (
        <>
          <TextField
            label="Commission (%)"
            name="commission"
            value={draft.commission}
            onValue={(commission) => update({ commission })}
            error={fields['resell.commissionPercent']}
            hint="A whole percentage of what the buyer paid (after discounts, before Stripe's fees), from 1 to 90; frozen at each sale."
            inputMode="numeric"
            autoComplete="off"
            className="input-short"
          />
          {draft.model === 'recurring' && (
            <>
              <SelectField
                label="Which payments earn it"
                name="resellRecurring"
                value={draft.resellRecurring}
                onValue={(value) => update({ resellRecurring: value as Draft['resellRecurring'] })}
                options={[
                  { value: 'every', label: 'Every payment, renewals included' },
                  { value: 'first', label: 'The first payment only' },
                  { value: 'months', label: 'Payments in the first months' },
                ]}
              />
              {draft.resellRecurring === 'months' && (
                <TextField
                  label="Months"
                  name="resellMonths"
                  value={draft.resellMonths}
                  onValue={(resellMonths) => update({ resellMonths })}
                  error={fields['resell.months']}
                  hint="Payments within this many months of the first one earn commission."
                  inputMode="numeric"
                  autoComplete="off"
                  className="input-short"
                />
              )}
            </>
          )}
          <TextAreaField
            label="Program description"
            name="resellDescription"
            value={draft.resellDescription}
            onValue={(resellDescription) => update({ resellDescription })}
            error={fields['resell.description']}
            hint="What resellers should know: who to share with, how payouts work."
            rows={4}
          />
        </>
      )}
    </Section>
  );
}

// --- Custom Code ------------------------------------------------------------------------------

export function CustomCodeSection({
  draft,
  update,
  fields,
}: {
  draft: Draft;
  update: Update;
  fields: Fields;
}) {
  return (
    <Section id="offer-code" title="Custom Code">
      <TextAreaField
        label="Custom code"
        name="customCode"
        value={draft.customCode}
        onValue={(customCode) => update({ customCode })}
        error={fields.customCode}
        hint="Runs on this offer's checkout and landing pages in a sandboxed frame — for a pixel or a chat widget. It cannot read your members' sessions. After a join or purchase the page tells it by postMessage (offer, value, currency), so a pixel can record the conversion."
        rows={6}
        className="mono"
        spellCheck={false}
        autoCapitalize="none"
        autoComplete="off"
        placeholder="<script>…</script>"
      />
    </Section>
  );
}
