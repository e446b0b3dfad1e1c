// Outgoing mail over SMTP (nodemailer). Which server to use is decided per message by the email module
// (settings in the database over the SMTP_URL default); this is only the transport.
import type { Transporter } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  replyTo?: string;
  /** Stable per message: a resend after a crash carries the same one, so it reads as the same mail. */
  messageId?: string;
  /** Extra headers (List-Unsubscribe). */
  headers?: Record<string, string>;
}

export type MailSender = (smtpUrl: string, mail: OutgoingMail) => Promise<{ messageId: string }>;

const transports = new Map<string, Transporter>();

/** Sends one message through the SMTP server at `smtpUrl`, reusing a pooled connection per server. */
export const sendMailOverSmtp: MailSender = async (smtpUrl, mail) => {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    // Loaded when the first message goes out: most processes never send one, and it costs start time.
    const { default: nodemailer } = await import('nodemailer');
    transport = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, transport);
  }
  const info = await transport.sendMail(mail);
  return { messageId: String(info.messageId ?? '') };
};
