// Every email is rendered and stored first (the Emails log), then sent by a job. Without SMTP the
// message stays in the log as `logged`, so a newcomer with no mail server can still use its links.

import { type Actor, requireStaff } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import type { UserRole } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { enqueueJob, type JobRow } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import type { MailSender } from '../../platform/mail.ts';
import { decodeCursor, type Page, pageOf } from '../../platform/pagination.ts';
import { isEmailAddress } from '../../platform/text.ts';
import type { SettingsService } from '../settings/index.ts';
import { findEmail, insertEmail, listEmailRows, updateEmail } from './email.repository.ts';
import { type RenderedEmail, testEmail } from './email.templates.ts';

export const SEND_EMAIL_JOB = 'email.send';

export interface QueueEmailInput {
  to: string;
  kind: string;
  message: RenderedEmail;
  /** The account whose sign-in the message carries, if any: decides who may see its links in the log. */
  recipientUserId?: string | null;
  /** Where one click unsubscribes the recipient from this kind of email (List-Unsubscribe). */
  unsubscribeUrl?: string | null;
}

export interface EmailDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  settings: SettingsService;
  sendMail: MailSender;
}

const ROLE_RANK: Record<UserRole, number> = { member: 0, admin: 1, owner: 2 };
// A sign-in link's token, and an unsubscribe link's signature (t=).
const TOKEN_IN_URL = /([?&](?:amp;)?(?:token|t)=)[A-Za-z0-9_-]+/g;

/** The message with every link token replaced, so it signs no one in. */
export function redactTokens(body: string): string {
  return body.replace(TOKEN_IN_URL, '$1redacted');
}

/**
 * Whether a viewer may see the live links of a logged email: only when it was never sent over SMTP,
 * only the owner, and never for an account of the same or a higher role than the viewer.
 */
export function mayViewLiveLinks(
  email: { status: string; recipientUserId: string | null },
  recipientRole: UserRole | null,
  viewer: { id: string; role: UserRole },
): boolean {
  if (email.recipientUserId === null) return true;
  if (email.status !== 'logged' || viewer.role !== 'owner' || recipientRole === null) return false;
  return ROLE_RANK[recipientRole] < ROLE_RANK[viewer.role] && email.recipientUserId !== viewer.id;
}

/** The message's own Message-ID: its id at the sender's domain, the same on every attempt. */
export function messageIdOf(emailId: string, mailFrom: string): string {
  const domain = /@([A-Za-z0-9.-]+)/.exec(mailFrom)?.[1] ?? 'guildhall.invalid';
  return `<${emailId}@${domain}>`;
}

const READ_LOG = 'Only the owner and admins may read the email log.';

export function createEmailService(deps: EmailDeps) {
  const { db, clock, logger, settings, sendMail } = deps;

  /** Stores the email and writes its send job, inside the caller's transaction. */
  async function queueEmail(trx: Executor, input: QueueEmailInput): Promise<string> {
    const id = newId();
    await insertEmail(trx, {
      id,
      toAddress: input.to.toLowerCase(),
      subject: input.message.subject,
      kind: input.kind,
      html: input.message.html,
      text: input.message.text,
      links: JSON.stringify(input.message.links),
      status: 'queued',
      error: null,
      recipientUserId: input.recipientUserId ?? null,
      unsubscribeUrl: input.unsubscribeUrl ?? null,
      createdAt: clock.now(),
      sentAt: null,
    });
    await enqueueJob(trx, clock, SEND_EMAIL_JOB, { emailId: id }, { maxAttempts: 6 });
    return id;
  }

  /** The `email.send` job: sends over SMTP when configured, else keeps the message as `logged`. */
  async function sendQueuedEmail(payload: unknown, job: JobRow): Promise<void> {
    const { emailId } = payload as { emailId: string };
    const email = await findEmail(db, emailId);
    if (!email || email.status === 'sent' || email.status === 'logged') return;
    const current = await settings.getSettings();
    if (!current.smtpUrl) {
      await updateEmail(db, emailId, { status: 'logged', error: null });
      return;
    }
    try {
      await sendMail(current.smtpUrl, {
        from: current.mailFrom,
        to: email.toAddress,
        subject: email.subject,
        html: email.html,
        text: email.text,
        ...(current.supportEmail ? { replyTo: current.supportEmail } : {}),
        messageId: messageIdOf(email.id, current.mailFrom),
        ...(email.unsubscribeUrl
          ? {
              headers: {
                'List-Unsubscribe': `<${email.unsubscribeUrl}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              },
            }
          : {}),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const exhausted = job.attempts >= job.maxAttempts;
      await updateEmail(db, emailId, {
        status: exhausted ? 'failed' : 'queued',
        error: message.slice(0, 1000),
      });
      throw error;
    }
    // Once it has left over SMTP, the log keeps no live link: the inbox is the only copy.
    await updateEmail(db, emailId, {
      status: 'sent',
      error: null,
      sentAt: clock.now(),
      subject: redactTokens(email.subject),
      html: redactTokens(email.html),
      text: redactTokens(email.text),
      links: redactTokens(email.links),
      unsubscribeUrl: null,
    });
    logger.info({ emailId, kind: email.kind }, 'email sent');
  }

  /** The Emails log, newest first; `search` is a prefix of the recipient's address. Staff only. */
  async function listEmails(
    actor: Actor,
    options: { search?: string; cursor?: string; limit: number },
  ): Promise<Page<EmailSummary>> {
    requireStaff(actor, READ_LOG);
    const rows = await listEmailRows(db, {
      search: options.search?.trim().toLowerCase() || null,
      after: decodeCursor(options.cursor),
      limit: options.limit,
    });
    const page = pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
    return { ...page, data: page.data.map((row) => ({ ...row, subject: redactTokens(row.subject) })) };
  }

  /** One logged email with its body, links redacted unless the viewer may use them. Staff only. */
  async function readEmail(actor: Actor, id: string): Promise<EmailDetail> {
    requireStaff(actor, READ_LOG);
    const viewer = { id: actor.userId, role: actor.role };
    const email = await findEmail(db, id);
    if (!email) throw new NotFoundError('No email with that id.');
    const live = mayViewLiveLinks(email, email.recipientRole ?? null, viewer);
    const { recipientRole: _role, recipientUserId: _recipient, links: _links, ...rest } = email;
    const shown = (value: string) => (live ? value : redactTokens(value));
    return {
      ...rest,
      subject: redactTokens(email.subject),
      html: shown(email.html),
      text: shown(email.text),
      links: (JSON.parse(email.links) as string[]).map(shown),
    };
  }

  /** Settings → "Send test email": queues a test message; answers its id in the log. */
  async function sendTestEmail(to: string, requestedBy: string): Promise<string> {
    const address = to.trim().toLowerCase();
    if (!isEmailAddress(address)) throw ValidationError.field('to', 'must be an email address');
    return inTransaction(db, async (trx) => {
      const { platformName } = await settings.getSettings(trx);
      return queueEmail(trx, {
        to: address,
        kind: 'test',
        message: testEmail({ platformName }, { requestedBy }),
      });
    });
  }

  return { queueEmail, sendQueuedEmail, listEmails, readEmail, sendTestEmail };
}

export type EmailService = ReturnType<typeof createEmailService>;
export type EmailSummary = Awaited<ReturnType<typeof listEmailRows>>[number];
export interface EmailDetail extends EmailSummary {
  html: string;
  text: string;
  /** The links the server issued for this message, redacted unless the viewer may use them. */
  links: string[];
}
