// The offer form's Confirmation Email section.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { CONFIRMATION_VARIABLES, TOKEN_VARIABLES } from '../../../../../src/modules/email/email.templates.ts';
import { api } from '../../../api.ts';
import { Notice, TextAreaField, TextField, useAction } from '../../../forms.tsx';
import { useSession } from '../../../session.tsx';
import { useDebounced } from '../../../ui.tsx';
import { type Offer, offerPath } from '../model.ts';
import { Section, type SectionProps } from './common.tsx';

interface Rendered {
  subject: string;
  html: string;
  text: string;
  /** Variables with no value now: their paragraphs are left out of the email. */
  leftOut: string[];
}

/** Why a variable would be empty, and what to do about it. */
const EMPTY_BECAUSE: Record<string, string> = {
  support_email: 'no support email is set in Settings',
  buyer_name: 'the buyer gave no name',
};

export function EmailSection({
  offer,
  draft,
  update,
  fields,
}: SectionProps & {
  offer: Offer | null;
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
        {CONFIRMATION_VARIABLES.map((name) => {
          const bodyOnly = targetKey === 'emailSubject' && TOKEN_VARIABLES.includes(name);
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
      {rendered && rendered.leftOut.length > 0 && (
        <div className="alert alert-warning" role="status">
          {rendered.leftOut.map((name) => (
            <p key={name}>
              <code>{`{{${name}}}`}</code> has no value now ({EMPTY_BECAUSE[name] ?? 'it is empty'}): the
              lines that use it are left out of the email, and a subject using it becomes the default one.
            </p>
          ))}
        </div>
      )}
      {rendered && (
        <div className="offer-email-frame-wrap">
          <p className="offer-email-subject">
            <span className="muted">Subject:</span> {rendered.subject}
          </p>
          {/* Empty sandbox: no scripts, no forms, no same-origin access. Out of the Tab order: its links
              are a picture of the email, and focusing one scrolled it under the sticky Save bar. */}
          <iframe
            className="offer-email-frame"
            tabIndex={-1}
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
