// The offer editor: the offer form and the Landing Page tab over one draft, Save (with a preview of
// what a Community Permissions change does to existing buyers), publishing, archive and delete.
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, type HubGroup, type Settings } from '../../api.ts';
import { type FormErrors, fieldMessage, Notice } from '../../forms.tsx';
import { ConfirmDialog, LoadError, Loading, useLoad } from '../../ui.tsx';
import { LandingEditor } from './landing.tsx';
import { StatusBadge } from './list.tsx';
import { type Offer, offerPath, type PermissionImpact } from './model.ts';
import { PublishedDialog } from './published-dialog.tsx';
import {
  CustomCodeSection,
  DestinationSection,
  EmailSection,
  MediaSection,
  PermissionsSection,
  PricingSection,
  ResellSection,
  TitleSection,
} from './sections/index.ts';
import { useOfferEditor } from './use-offer-editor.ts';

/** Field paths the Offer tab shows beside a field; anything else is listed in the summary. */
const OFFER_FIELDS = [
  'title',
  'slug',
  'pricing.model',
  'pricing.amountMinor',
  'pricing.currency',
  'pricing.interval',
  'pricing.intervalCount',
  'pricing.trialDays',
  'hubGroupIds',
  'thumbnail',
  'cover',
  'confirmationEmail.subject',
  'confirmationEmail.body',
  'destination.customUrl',
  'resell.enabled',
  'resell.commissionPercent',
  'resell.description',
  'customCode',
];
const isLandingField = (field: string) => field.startsWith('landingPage');
const PRICING_CODES = ['stripe_not_connected', 'stripe_charges_disabled', 'price_below_minimum'];

/** Where a field's problem is shown, for the summary's links. */
function sectionOf(field: string): string {
  if (field === 'title' || field === 'slug' || field === 'description') return 'offer-title';
  if (field.startsWith('pricing')) return 'offer-pricing';
  if (field === 'hubGroupIds') return 'offer-permissions';
  if (field === 'thumbnail') return 'offer-thumbnail';
  if (field === 'cover') return 'offer-cover';
  if (field.startsWith('confirmationEmail')) return 'offer-email';
  if (field.startsWith('destination')) return 'offer-destination';
  if (field.startsWith('resell')) return 'offer-resell';
  if (field === 'customCode') return 'offer-code';
  return 'offer-title';
}

const FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  slug: 'URL slug',
  'pricing.model': 'Pricing model',
  'pricing.amountMinor': 'Price',
  'pricing.currency': 'Currency',
  'pricing.interval': 'Period',
  'pricing.intervalCount': 'Billing period',
  'pricing.trialDays': 'Free trial',
  hubGroupIds: 'Community Permissions',
  thumbnail: 'Thumbnail',
  cover: 'Cover',
  'confirmationEmail.subject': 'Email subject',
  'confirmationEmail.body': 'Email body',
  'destination.customUrl': 'Custom link',
  'resell.enabled': 'Resell rights',
  'resell.commissionPercent': 'Commission',
  'resell.description': 'Program description',
  customCode: 'Custom code',
};

export function OfferEditorPage() {
  const { id } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  // "Just created" arrives in the history state; it is latched for this offer and cleared from the
  // history, so a reload of this address does not repeat the notice.
  const createdState = location.state as { created?: boolean; mediaFailed?: string[] } | null;
  const justCreated = createdState?.created === true;
  const [mediaFailed, setMediaFailed] = useState<string[]>(createdState?.mediaFailed ?? []);
  const [createdId, setCreatedId] = useState<string | null>(justCreated && id ? id : null);
  const failedNow = createdState?.mediaFailed;
  useEffect(() => {
    if (!justCreated || !id) return;
    setCreatedId(id);
    setMediaFailed(failedNow ?? []);
    navigate(`${location.pathname}${location.search}`, { replace: true, state: null });
  }, [justCreated, id, failedNow, location.pathname, location.search, navigate]);
  const created = createdId !== null && createdId === id;

  const offer = useLoad<Offer | null>(
    () => (id ? api.get<Offer>(offerPath(id)) : Promise.resolve(null)),
    ['offer', id ?? 'new'],
  );
  const settings = useLoad<Settings | null>(
    () => (id ? Promise.resolve(null) : api.get<Settings>('/settings').catch(() => null)),
    ['offer-editor-settings', id ? 'none' : 'settings'],
  );
  const groups = useLoad(() => api.get<{ data: HubGroup[] }>('/hub-groups'), ['staff-hub-groups']);
  const ready = offer.data !== undefined && !offer.loading && (id || settings.data !== undefined);

  return (
    <>
      <p className="breadcrumb">
        <Link to="/admin/offers">← Digital Offers</Link>
      </p>
      {offer.error ? (
        <LoadError error={offer.error} retry={offer.reload} />
      ) : !ready ? (
        <Loading />
      ) : (
        <Editor
          key={offer.data?.id ?? 'new'}
          initial={offer.data ?? null}
          defaultCurrency={settings.data?.defaultCurrency ?? 'usd'}
          groups={groups.data?.data}
          groupsError={groups.error}
          created={created ? { mediaFailed } : false}
        />
      )}
    </>
  );
}

function Editor({
  initial,
  defaultCurrency,
  groups,
  groupsError,
  created,
}: {
  initial: Offer | null;
  defaultCurrency: string;
  groups: HubGroup[] | undefined;
  groupsError: unknown;
  created: false | { mediaFailed: string[] };
}) {
  const {
    tab,
    setTab,
    saved,
    draft,
    update,
    dirty,
    notice,
    setNotice,
    pending,
    setPending,
    confirmDelete,
    setConfirmDelete,
    summary,
    action,
    remove,
    archive,
    save,
    doArchive,
    doDelete,
    fields,
    problem,
    blockErrors,
    status,
    busy,
    patchSaved,
    leaveDialog,
    pendingMedia,
    choosePending,
  } = useOfferEditor({ initial, defaultCurrency, created });
  // Publishing asks once, then hands over the link, a QR code and the page.
  const [confirmPublish, setConfirmPublish] = useState(false);
  const [justPublished, setJustPublished] = useState(false);
  const previousStatus = useRef(status);
  useEffect(() => {
    if (previousStatus.current !== 'published' && status === 'published') setJustPublished(true);
    previousStatus.current = status;
  }, [status]);

  return (
    <form
      className="offer-editor"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="page-head">
        <h1 className="offer-heading">
          {saved ? saved.title || '(untitled)' : 'New membership'}
          <StatusBadge status={status} />
        </h1>
        <div className="button-row">
          {saved ? (
            <a
              className="button"
              href={`${saved.publicUrl}?preview=1`}
              target="_blank"
              rel="noopener noreferrer"
              aria-describedby={dirty ? 'offer-view-hint' : undefined}
            >
              View offer page
            </a>
          ) : (
            <button type="button" className="button" disabled aria-describedby="offer-view-hint">
              View offer page
            </button>
          )}
        </div>
      </div>
      {(!saved || dirty) && (
        <p className="field-hint offer-view-hint" id="offer-view-hint">
          {saved
            ? 'View offer page shows the saved version; save to see your changes there.'
            : 'Save the draft to view its page. Drafts are visible to admins only, marked as a preview.'}
        </p>
      )}

      <div className="tabs offer-tabs" role="tablist" aria-label="Offer editor">
        <button
          type="button"
          role="tab"
          id="offer-tab-offer"
          aria-selected={tab === 'offer'}
          aria-controls="offer-panel-offer"
          tabIndex={tab === 'offer' ? 0 : -1}
          onClick={() => setTab('offer')}
          onKeyDown={(event) => {
            if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
              setTab('landing');
              document.getElementById('offer-tab-landing')?.focus();
            }
          }}
        >
          Offer
        </button>
        <button
          type="button"
          role="tab"
          id="offer-tab-landing"
          aria-selected={tab === 'landing'}
          aria-controls="offer-panel-landing"
          tabIndex={tab === 'landing' ? 0 : -1}
          onClick={() => setTab('landing')}
          onKeyDown={(event) => {
            if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
              setTab('offer');
              document.getElementById('offer-tab-offer')?.focus();
            }
          }}
        >
          Landing Page
          {draft.landingEnabled ? <span className="badge badge-success">On</span> : null}
        </button>
      </div>

      <div ref={summary} tabIndex={-1} className="offer-summary">
        <Summary
          errors={action.errors}
          tab={tab}
          pricingProblem={PRICING_CODES.includes(action.errors.code ?? '')}
          onTab={setTab}
        />
        {archive.errors.message && (
          <div className="alert alert-error" role="alert">
            <p>{archive.errors.message}</p>
          </div>
        )}
        {remove.errors.message && (
          <div className="alert alert-error" role="alert">
            <p>{remove.errors.message}</p>
            {remove.errors.code === 'offer_has_buyers' && status !== 'archived' && (
              <button type="button" className="button button-small" onClick={() => void doArchive()}>
                Archive instead
              </button>
            )}
          </div>
        )}
        {notice && <Notice>{notice}</Notice>}
        {groupsError ? (
          <div className="alert alert-warning" role="alert">
            <p>The hub groups could not be loaded, so Community Permissions cannot be changed right now.</p>
          </div>
        ) : null}
      </div>

      {tab === 'offer' ? (
        <div role="tabpanel" id="offer-panel-offer" aria-labelledby="offer-tab-offer" className="offer-panel">
          <TitleSection draft={draft} update={update} fields={fields} />
          <PricingSection
            draft={draft}
            update={update}
            fields={fields}
            problem={problem}
            saved={saved}
            onStripeConnected={action.reset}
          />
          <PermissionsSection groups={groups} draft={draft} update={update} fields={fields} />
          <MediaSection
            kind="thumbnail"
            offer={saved}
            fields={fields}
            onOffer={patchSaved}
            pending={pendingMedia.thumbnail ?? null}
            onPending={(file) => choosePending('thumbnail', file)}
          />
          <MediaSection
            kind="cover"
            offer={saved}
            fields={fields}
            onOffer={patchSaved}
            pending={pendingMedia.cover ?? null}
            onPending={(file) => choosePending('cover', file)}
          />
          <EmailSection offer={saved} draft={draft} update={update} fields={fields} />
          <DestinationSection draft={draft} update={update} fields={fields} />
          <ResellSection draft={draft} update={update} fields={fields} />
          <CustomCodeSection draft={draft} update={update} fields={fields} />
          {saved && (
            <section className="card section offer-section danger-zone" aria-labelledby="offer-status-title">
              <h2 id="offer-status-title">Status</h2>
              <p>
                This offer is <strong>{status}</strong>
                {status === 'published'
                  ? ': its page is public and people can join or buy.'
                  : status === 'archived'
                    ? ': nobody new can join or buy it; existing buyers keep their access.'
                    : ': only admins can see its page. Publishing needs a thumbnail and at least one hub group.'}
              </p>
              <p className="muted">
                {saved.buyerCount === 0
                  ? 'Nobody has bought or joined it yet, so it can be deleted.'
                  : `${saved.buyerCount.toLocaleString()} ${saved.buyerCount === 1 ? 'buyer' : 'buyers'}: archive it to stop new sales; it cannot be deleted.`}
              </p>
              <div className="button-row">
                {status !== 'archived' && (
                  <button type="button" className="button" disabled={busy} onClick={() => void doArchive()}>
                    Archive
                  </button>
                )}
                {status === 'archived' && (
                  <button
                    type="button"
                    className="button"
                    disabled={busy}
                    onClick={() => void save('draft', 'Unarchived: the offer is a draft again.')}
                  >
                    Unarchive
                  </button>
                )}
                {saved.buyerCount === 0 && (
                  <button
                    type="button"
                    className="button button-danger-quiet"
                    disabled={busy}
                    onClick={() => {
                      remove.reset();
                      setNotice(null);
                      setConfirmDelete(true);
                    }}
                  >
                    Delete
                  </button>
                )}
              </div>
            </section>
          )}
        </div>
      ) : (
        <div
          role="tabpanel"
          id="offer-panel-landing"
          aria-labelledby="offer-tab-landing"
          className="offer-panel"
        >
          <LandingEditor
            draft={draft}
            update={update}
            offer={saved}
            groups={groups}
            blockErrors={blockErrors}
            fields={fields}
          />
        </div>
      )}

      <section className="offer-actions" aria-label="Save and publish">
        <button
          type="submit"
          className="button button-primary"
          disabled={busy}
          aria-busy={action.pending || undefined}
        >
          Save
          {action.pending && <span className="spinner" aria-hidden="true" />}
        </button>
        {saved && status !== 'published' && (
          <button type="button" className="button" disabled={busy} onClick={() => setConfirmPublish(true)}>
            Publish
          </button>
        )}
        {saved && status === 'published' && (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() =>
              void save('draft', 'Unpublished: the offer is a draft again; only admins see its page.')
            }
          >
            Unpublish
          </button>
        )}
        <span className="offer-actions-state muted" aria-live="polite">
          {action.pending ? 'Saving…' : dirty ? 'Unsaved changes' : saved ? 'All changes saved' : ''}
        </span>
      </section>

      <ConfirmDialog
        open={confirmPublish}
        title={`Publish “${draft.title || saved?.title || ''}”?`}
        confirmLabel="Publish"
        onCancel={() => setConfirmPublish(false)}
        onConfirm={() => {
          setConfirmPublish(false);
          void save('published', 'Published: the offer page is public.');
        }}
      >
        <p>
          Its page goes public{saved ? ` at ${new URL(saved.publicUrl, window.location.origin)}` : ''}: anyone
          with the link can {draft.model === 'free' ? 'join' : 'buy it'}
          {dirty ? ', with the changes you have not saved yet' : ''}.
        </p>
      </ConfirmDialog>
      {justPublished && saved && (
        <PublishedDialog
          url={new URL(saved.publicUrl, window.location.origin).toString()}
          title={saved.title}
          onClose={() => setJustPublished(false)}
        />
      )}
      <ConfirmDialog
        open={pending !== null}
        title="Change access for existing buyers?"
        confirmLabel="Save and change access"
        onCancel={() => setPending(null)}
        onConfirm={() => pending?.proceed()}
      >
        {pending && <ImpactText impact={pending.impact} />}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete “${saved?.title ?? ''}”?`}
        confirmLabel="Delete offer"
        danger
        pending={remove.pending}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => void doDelete()}
      >
        <p>The offer and its page are removed. This cannot be undone.</p>
      </ConfirmDialog>
      {leaveDialog}
    </form>
  );
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString()} ${n === 1 ? word : `${word}s`}`;
}

function ImpactText({ impact }: { impact: PermissionImpact }) {
  return (
    <>
      <p>This offer has {plural(impact.buyerCount, 'buyer')}. Saving changes their access at once:</p>
      <ul>
        {impact.added.map((group) => (
          <li key={`+${group.id}`}>
            {plural(group.buyers, 'buyer')} {group.buyers === 1 ? 'gains' : 'gain'}{' '}
            <strong>{group.name}</strong>
          </li>
        ))}
        {impact.removed.map((group) => (
          <li key={`-${group.id}`}>
            {plural(group.buyers, 'buyer')} {group.buyers === 1 ? 'loses' : 'lose'}{' '}
            <strong>{group.name}</strong>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The save's general message, what is on the other tab, and problems no field shows. */
function Summary({
  errors,
  tab,
  pricingProblem,
  onTab,
}: {
  errors: FormErrors;
  tab: 'offer' | 'landing';
  pricingProblem: boolean;
  onTab(tab: 'offer' | 'landing'): void;
}) {
  const named = Object.entries(errors.fields);
  if (!errors.message && named.length === 0) return null;
  const landing = named.filter(([field]) => isLandingField(field));
  const offer = named.filter(([field]) => OFFER_FIELDS.includes(field));
  const other = named.filter(([field]) => !isLandingField(field) && !OFFER_FIELDS.includes(field));
  const onOtherTab = tab === 'offer' ? landing : offer;
  const here = tab === 'offer' ? offer : landing;
  const title = pricingProblem
    ? 'The offer was not saved.'
    : named.length
      ? 'The offer was not saved. Please check the highlighted fields.'
      : 'The offer was not saved.';
  return (
    <div className="alert alert-error" role="alert">
      <p>
        <strong>{title}</strong> {pricingProblem || named.length === 0 ? errors.message : null}
      </p>
      {pricingProblem && tab === 'offer' && (
        <p>
          <a href="#offer-pricing">Go to Pricing Model</a>
        </p>
      )}
      {pricingProblem && tab === 'landing' && (
        <button type="button" className="button button-small" onClick={() => onTab('offer')}>
          Open the Offer tab
        </button>
      )}
      {tab === 'offer' && here.length > 0 && (
        <ul>
          {here.map(([field, message]) => (
            <li key={field}>
              <a href={`#${sectionOf(field)}`}>{fieldMessage(FIELD_LABELS[field] ?? field, message)}</a>
            </li>
          ))}
        </ul>
      )}
      {other.length > 0 && (
        <ul>
          {other.map(([field, message]) => (
            <li key={field}>{fieldMessage(field, message)}</li>
          ))}
        </ul>
      )}
      {onTab && onOtherTab.length > 0 && (
        <p>
          {onOtherTab.length === 1 ? 'One problem is' : `${onOtherTab.length} problems are`} on the{' '}
          {tab === 'offer' ? 'Landing Page' : 'Offer'} tab.{' '}
          <button
            type="button"
            className="button button-small"
            onClick={() => onTab(tab === 'offer' ? 'landing' : 'offer')}
          >
            Open the {tab === 'offer' ? 'Landing Page' : 'Offer'} tab
          </button>
        </p>
      )}
    </div>
  );
}
