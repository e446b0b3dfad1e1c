// What staff do with settings through the API: read them, change them, send a test email. Only the
// owner changes the outgoing mail server or its sender: whoever controls that server reads every link
// the platform emails, the owner's own password reset included. Such a change asks for the owner's
// password again, and the owner is emailed a notice of it.

import { type Actor, requireStaff } from '../../platform/actor.ts';
import type { Database } from '../../platform/db/database.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { EmailService } from '../email/index.ts';
import { outgoingMailChangedEmail } from '../email/index.ts';
import {
  maskSmtpUrl,
  type PlatformSettings,
  type SettingsPatch,
  type SettingsService,
} from './settings.service.ts';

export interface SettingsAdminDeps {
  db: Database;
  settings: SettingsService;
  email: Pick<EmailService, 'queueEmail' | 'sendTestEmail'>;
  /** Throws unless `password` is the actor's own (accounts). */
  confirmPassword(actor: Actor, password: string | undefined): Promise<void>;
}

/** The settings only the owner may change. */
export const OWNER_ONLY_SETTINGS = ['smtpUrl', 'mailFrom'] as const;

export function createSettingsAdmin(deps: SettingsAdminDeps) {
  const { db, settings, email, confirmPassword } = deps;

  /** Settings as staff see them: the SMTP password masked. */
  async function readSettings(actor: Actor): Promise<PlatformSettings> {
    requireStaff(actor, 'Only the owner and admins may see settings.');
    const current = await settings.getSettings();
    return { ...current, smtpUrl: maskSmtpUrl(current.smtpUrl) };
  }

  /** Changes settings; the outgoing mail server and sender only by the owner, with their password. */
  async function changeSettings(
    actor: Actor,
    input: SettingsPatch & { currentPassword?: string },
  ): Promise<PlatformSettings> {
    requireStaff(actor, 'Only the owner and admins may change settings.');
    const { currentPassword, ...patch } = input;
    settings.checkPatch(patch);
    const touchesMail = OWNER_ONLY_SETTINGS.some((key) => patch[key] !== undefined);
    if (touchesMail) {
      if (actor.role !== 'owner')
        throw new ForbiddenError('Only the owner may change outgoing email.', 'owner_only');
      await confirmPassword(actor, currentPassword);
    }
    const saved = await inTransaction(db, async (trx) => {
      const before = await settings.getSettings(trx);
      const after = await settings.updateSettings(patch, trx);
      const changes = mailChanges(before, after);
      if (changes.length > 0) {
        await email.queueEmail(trx, {
          to: actor.email,
          kind: 'outgoing_mail_changed',
          message: outgoingMailChangedEmail(
            { platformName: after.platformName },
            { name: actor.name, changes },
          ),
        });
      }
      return after;
    });
    return { ...saved, smtpUrl: maskSmtpUrl(saved.smtpUrl) };
  }

  /** Settings → "Send test email": answers the email's id in the log. */
  async function sendTestEmail(actor: Actor, to: string): Promise<string> {
    requireStaff(actor, 'Only the owner and admins may send a test email.');
    return email.sendTestEmail(to, actor.name || actor.email);
  }

  return { readSettings, changeSettings, sendTestEmail };
}

/** What changed in outgoing email, in words for the owner's notice (passwords masked). */
function mailChanges(before: PlatformSettings, after: PlatformSettings): string[] {
  const changes: string[] = [];
  if (before.smtpUrl !== after.smtpUrl) {
    changes.push(
      `Mail server: ${maskSmtpUrl(after.smtpUrl) ?? 'none (emails are only kept in the Emails log)'} (was ${maskSmtpUrl(before.smtpUrl) ?? 'none'})`,
    );
  }
  if (before.mailFrom !== after.mailFrom) changes.push(`Sender: ${after.mailFrom} (was ${before.mailFrom})`);
  return changes;
}

export type SettingsAdmin = ReturnType<typeof createSettingsAdmin>;
