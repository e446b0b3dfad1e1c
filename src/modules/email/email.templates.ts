// Every email the platform sends, each with an HTML and a plain-text part. Values people typed (names,
// platform names) are escaped in HTML: a name is never markup.

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /**
   * The links the server itself put in the message (its button, template variables). The Emails log
   * offers only these: a link typed into a name or a body is text, never something to click there.
   */
  links: string[];
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

interface Layout {
  platformName: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footnote?: string;
  /** A small link under the message (how to stop this kind of email). */
  footerLink?: { label: string; url: string };
}

function layout(parts: Layout): { html: string; text: string; links: string[] } {
  const p = (t: string) => `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(t)}</p>`;
  const button = parts.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(parts.action.url)}" style="background:#3b4cca;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(parts.action.label)}</a></p><p style="margin:0 0 16px;font-size:13px;color:#555">Or paste this link into your browser:<br>${escapeHtml(parts.action.url)}</p>`
    : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(parts.heading)}</title></head><body style="margin:0;background:#f5f5f7;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1d1d1f"><div style="max-width:560px;margin:0 auto;padding:32px 24px"><div style="font-weight:600;margin-bottom:24px">${escapeHtml(parts.platformName)}</div><div style="background:#fff;border-radius:10px;padding:28px"><h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(parts.heading)}</h1>${parts.paragraphs.map(p).join('')}${button}${parts.footnote ? `<p style="margin:16px 0 0;font-size:13px;color:#555">${escapeHtml(parts.footnote)}</p>` : ''}</div>${parts.footerLink ? `<p style="margin:16px 0 0;font-size:12px;color:#555;text-align:center"><a href="${escapeHtml(parts.footerLink.url)}" style="color:#555">${escapeHtml(parts.footerLink.label)}</a></p>` : ''}</div></body></html>`;
  const text = [
    parts.platformName,
    '',
    parts.heading,
    '',
    ...parts.paragraphs.flatMap((t) => [t, '']),
    ...(parts.action ? [`${parts.action.label}: ${parts.action.url}`, ''] : []),
    ...(parts.footnote ? [parts.footnote, ''] : []),
    ...(parts.footerLink ? [`${parts.footerLink.label}: ${parts.footerLink.url}`] : []),
  ]
    .join('\n')
    .trimEnd();
  const links = [parts.action?.url, parts.footerLink?.url].filter((url): url is string => Boolean(url));
  return { html, text: `${text}\n`, links };
}

export interface TemplateContext {
  platformName: string;
}

export function magicLinkEmail(ctx: TemplateContext, input: { name: string; url: string }): RenderedEmail {
  return {
    subject: `Your sign-in link for ${ctx.platformName}`,
    ...layout({
      platformName: ctx.platformName,
      heading: 'Sign in',
      paragraphs: [`Hi ${input.name || 'there'},`, `Use the button below to sign in to ${ctx.platformName}.`],
      action: { label: 'Sign in', url: input.url },
      footnote: 'The link works once, for 15 minutes. If you did not ask for it, ignore this email.',
    }),
  };
}

export function invitationEmail(
  ctx: TemplateContext,
  input: { name: string; url: string; invitedBy: string },
): RenderedEmail {
  return {
    subject: `You have been invited to ${ctx.platformName}`,
    ...layout({
      platformName: ctx.platformName,
      heading: `Welcome to ${ctx.platformName}`,
      paragraphs: [
        `Hi ${input.name || 'there'},`,
        `${input.invitedBy} added you to ${ctx.platformName}. Set a password to sign in.`,
      ],
      action: { label: 'Set your password', url: input.url },
      footnote: 'The link works once, for 7 days.',
    }),
  };
}

export function passwordResetEmail(
  ctx: TemplateContext,
  input: { name: string; url: string },
): RenderedEmail {
  return {
    subject: `Reset your ${ctx.platformName} password`,
    ...layout({
      platformName: ctx.platformName,
      heading: 'Reset your password',
      paragraphs: [
        `Hi ${input.name || 'there'},`,
        'Someone asked to reset the password of this account. Choose a new one here.',
      ],
      action: { label: 'Choose a new password', url: input.url },
      footnote:
        'The link works once, for 7 days. If you did not ask for it, ignore this email: your password stays as it is.',
    }),
  };
}

export function confirmEmailChangeEmail(
  ctx: TemplateContext,
  input: { name: string; url: string; newEmail: string },
): RenderedEmail {
  return {
    subject: `Confirm your new email address for ${ctx.platformName}`,
    ...layout({
      platformName: ctx.platformName,
      heading: 'Confirm your new email address',
      paragraphs: [
        `Hi ${input.name || 'there'},`,
        `Confirm that ${input.newEmail} is the address of your ${ctx.platformName} account.`,
      ],
      action: { label: 'Confirm this address', url: input.url },
      footnote: 'Your address changes only when you use this link. It works once, for 7 days.',
    }),
  };
}

export function confirmAddressEmail(
  ctx: TemplateContext,
  input: { name: string; url: string },
): RenderedEmail {
  return {
    subject: `Confirm your email address for ${ctx.platformName}`,
    ...layout({
      platformName: ctx.platformName,
      heading: 'Confirm your email address',
      paragraphs: [
        `Hi ${input.name || 'there'},`,
        `Confirm that this is the address of your ${ctx.platformName} account. Once confirmed, you can set a password and sign in with it.`,
      ],
      action: { label: 'Confirm and sign in', url: input.url },
      footnote: 'The link works once, for 7 days. If you did not ask for it, ignore this email.',
    }),
  };
}

export function emailChangedNoticeEmail(
  ctx: TemplateContext,
  input: { name: string; newEmail: string },
): RenderedEmail {
  return {
    subject: `Your ${ctx.platformName} email address was changed`,
    ...layout({
      platformName: ctx.platformName,
      heading: 'Your email address was changed',
      paragraphs: [
        `Hi ${input.name || 'there'},`,
        `The email address of your ${ctx.platformName} account is now ${input.newEmail}.`,
        'If you did not do this, contact the platform’s support right away.',
      ],
    }),
  };
}

/** To the owner after outgoing email changed: a change they did not make is a takeover in progress. */
export function outgoingMailChangedEmail(
  ctx: TemplateContext,
  input: { name: string; changes: string[] },
): RenderedEmail {
  return {
    subject: `Outgoing email of ${ctx.platformName} was changed`,
    ...layout({
      platformName: ctx.platformName,
      heading: 'Outgoing email was changed',
      paragraphs: [
        `Hi ${input.name || 'there'},`,
        `The outgoing email settings of ${ctx.platformName} were changed with your password:`,
        ...input.changes,
        'If you did not do this, change your password now and set the outgoing email back in Settings: whoever controls the mail server can read every link the platform sends.',
      ],
    }),
  };
}

/** To an affiliate when a sale through their link earned a commission. */
export function affiliateSaleEmail(
  ctx: TemplateContext,
  input: { name: string; offerTitle: string; commission: string; payableOn: string; url: string },
): RenderedEmail {
  return {
    subject: `You earned ${input.commission} from a sale of ${input.offerTitle}`,
    ...layout({
      platformName: ctx.platformName,
      heading: `You earned ${input.commission}`,
      paragraphs: [
        `Hi ${input.name || 'there'},`,
        `Someone bought ${input.offerTitle} through your link. Your commission of ${input.commission} becomes payable on ${input.payableOn}, if the sale is not refunded before then.`,
      ],
      action: { label: 'See your partner page', url: input.url },
    }),
  };
}

/** To an affiliate when a payout was sent (by Stripe or marked paid by the creator). */
export function payoutSentEmail(
  ctx: TemplateContext,
  input: { name: string; amount: string; how: string; url: string },
): RenderedEmail {
  return {
    subject: `${ctx.platformName} sent you ${input.amount}`,
    ...layout({
      platformName: ctx.platformName,
      heading: `A payout of ${input.amount} is on its way`,
      paragraphs: [`Hi ${input.name || 'there'},`, input.how],
      action: { label: 'See your partner page', url: input.url },
    }),
  };
}

/** One notification: what happened, the start of what was written, and the way there. */
export interface NotificationLine {
  sentence: string;
  excerpt: string | null;
  url: string;
}

const STOP_NOTIFICATIONS = 'Stop these emails';

/** What each kind of notification email is about, in the footnote and on its unsubscribe link. */
const EMAIL_KIND_WORDS = {
  replies: { about: 'comments on your posts and replies to you', stop: 'Stop emails about replies' },
  mentions: { about: 'mentions of you', stop: 'Stop emails about mentions' },
  posts: { about: 'new posts in groups you follow', stop: 'Stop emails about new posts' },
} as const;

/** A notification by email, at once (the member chose "At once" on their Account page). */
export function notificationEmail(
  ctx: TemplateContext,
  input: {
    name: string;
    line: NotificationLine;
    kind: keyof typeof EMAIL_KIND_WORDS;
    unsubscribeUrl: string;
  },
): RenderedEmail {
  const words = EMAIL_KIND_WORDS[input.kind];
  return {
    subject: input.line.sentence,
    ...layout({
      platformName: ctx.platformName,
      heading: input.line.sentence,
      paragraphs: input.line.excerpt ? [`“${input.line.excerpt}”`] : [],
      action: { label: 'Open it', url: input.line.url },
      footnote: `You get this because you chose to hear of ${words.about} at once (Account page).`,
      footerLink: { label: words.stop, url: input.unsubscribeUrl },
    }),
  };
}

/** The day's notifications in one email (the member chose "Once a day"). */
export function notificationDigestEmail(
  ctx: TemplateContext,
  input: { name: string; lines: NotificationLine[]; more: number; hubUrl: string; unsubscribeUrl: string },
): RenderedEmail {
  const count = input.lines.length + input.more;
  const paragraphs = input.lines.map(
    (line) => `${line.sentence}${line.excerpt ? `: “${line.excerpt}”` : ''}`,
  );
  if (input.more > 0) paragraphs.push(`And ${input.more} more.`);
  return {
    subject: `${count} new ${count === 1 ? 'notification' : 'notifications'} on ${ctx.platformName}`,
    ...layout({
      platformName: ctx.platformName,
      heading: `Hi ${input.name || 'there'}, here is what you missed`,
      paragraphs,
      action: { label: 'Open your notifications', url: input.hubUrl },
      footnote: 'You get this once a day because you chose a daily digest (Account page).',
      footerLink: { label: STOP_NOTIFICATIONS, url: input.unsubscribeUrl },
    }),
  };
}

export function testEmail(ctx: TemplateContext, input: { requestedBy: string }): RenderedEmail {
  return {
    subject: `Test email from ${ctx.platformName}`,
    ...layout({
      platformName: ctx.platformName,
      heading: 'Outgoing email works',
      paragraphs: [
        `${input.requestedBy} sent this test from Settings. If you can read it, ${ctx.platformName} can send email.`,
      ],
    }),
  };
}

export const CONFIRMATION_VARIABLES = [
  'buyer_name',
  'offer_title',
  'platform_name',
  'login_link',
  'hub_link',
  'support_email',
] as const;
export type ConfirmationVariables = Record<(typeof CONFIRMATION_VARIABLES)[number], string>;

/** Variables that carry a sign-in token: allowed in a body, never in a subject (DESIGN.md §8). */
export const TOKEN_VARIABLES: readonly string[] = ['login_link'];
const VARIABLE = /\{\{\s*([a-z_]+)\s*\}\}/g;

function fill(template: string, vars: Partial<ConfirmationVariables>): string {
  return template.replace(
    VARIABLE,
    (whole, name: string) => vars[name as keyof ConfirmationVariables] ?? whole,
  );
}

/** The variables a template uses, by name. */
export function variablesIn(template: string): string[] {
  return [...template.matchAll(VARIABLE)].map((match) => match[1] as string);
}

/**
 * The email a buyer gets after joining or buying: the creator's subject and body with variables filled
 * in (as text: what the creator typed is never markup), or a good default.
 */
export function purchaseConfirmationEmail(
  ctx: TemplateContext,
  custom: { subject: string | null; body: string | null },
  vars: ConfirmationVariables,
): RenderedEmail & { leftOut: string[] } {
  // A subject is shown in lists and kept whole after sending: a sign-in link never goes there, even
  // from a template saved before the editor refused it.
  const { login_link: _token, ...subjectVars } = vars;
  // No email goes out with a blank where a value should be: a variable with no value here (no support
  // email set, a buyer who gave no name) takes its paragraph out, or the subject back to the default.
  const empty = CONFIRMATION_VARIABLES.filter((name) => !vars[name]?.trim());
  const usesEmpty = (text: string) => variablesIn(text).some((name) => empty.includes(name as never));
  const subjectTemplate =
    custom.subject && !usesEmpty(custom.subject) ? custom.subject : `Welcome to ${vars.offer_title}`;
  const subject = fill(subjectTemplate, subjectVars);
  const leftOut = [...new Set([custom.subject ?? '', custom.body ?? ''].flatMap(variablesIn))].filter(
    (name) => empty.includes(name as never),
  );
  const paragraphs = custom.body
    ? custom.body
        .split(/\n{2,}/)
        .filter((paragraph) => !usesEmpty(paragraph))
        .map((paragraph) => fill(paragraph, vars).trim())
        .filter(Boolean)
    : [
        `Hi ${vars.buyer_name || 'there'},`,
        `You're in: ${vars.offer_title} is now part of your ${vars.platform_name} account.`,
        'Use the button below to sign in and start. It works once, within 7 days; after that, sign in with your email address.',
      ];
  const footnote = vars.support_email ? `Questions? Write to ${vars.support_email}.` : undefined;
  const rendered = layout({
    platformName: ctx.platformName,
    heading: subject,
    paragraphs,
    action: { label: `Open ${ctx.platformName}`, url: vars.login_link },
    ...(footnote ? { footnote } : {}),
  });
  const hubLinkUsed = custom.body !== null && variablesIn(custom.body).includes('hub_link');
  return {
    subject,
    ...rendered,
    links: hubLinkUsed ? [...rendered.links, vars.hub_link] : rendered.links,
    leftOut,
  };
}

/** To the owner of an address someone joined an offer with: nothing is granted until they confirm. */
export function purchaseClaimEmail(
  ctx: TemplateContext,
  input: { name: string; offerTitle: string; url: string },
): RenderedEmail {
  return {
    subject: `Confirm joining ${input.offerTitle}`,
    ...layout({
      platformName: ctx.platformName,
      heading: `Confirm joining ${input.offerTitle}`,
      paragraphs: [
        `Hi ${input.name || 'there'},`,
        `Someone asked to add ${input.offerTitle} to the ${ctx.platformName} account of this address. If it was you, confirm here.`,
      ],
      action: { label: 'Confirm and join', url: input.url },
      footnote: 'If it was not you, ignore this email: nothing changes. The link works once, for 7 days.',
    }),
  };
}
