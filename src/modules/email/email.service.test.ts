import { describe, expect, it } from 'vitest';
import { mayViewLiveLinks, redactTokens } from './email.service.ts';
import { escapeHtml, magicLinkEmail } from './email.templates.ts';

describe('redacting sign-in links', () => {
  it('replaces every token in text and HTML links', () => {
    const body = 'a http://x/auth/magic?token=abc_DEF-123 b <a href="http://x/p?x=1&amp;token=QQQ">';
    expect(redactTokens(body)).toBe(
      'a http://x/auth/magic?token=redacted b <a href="http://x/p?x=1&amp;token=redacted">',
    );
  });
});

describe('who may see live links in the Emails log', () => {
  const owner = { id: 'o', role: 'owner' as const };
  const admin = { id: 'a', role: 'admin' as const };
  const logged = { status: 'logged', recipientUserId: 'm' };

  it('the owner, for a member or an admin, while the email was never sent', () => {
    expect(mayViewLiveLinks(logged, 'member', owner)).toBe(true);
    expect(mayViewLiveLinks(logged, 'admin', owner)).toBe(true);
  });

  it('never an admin, never for the same or a higher role, never once sent', () => {
    expect(mayViewLiveLinks(logged, 'member', admin)).toBe(false);
    expect(mayViewLiveLinks({ ...logged, recipientUserId: 'o' }, 'owner', owner)).toBe(false);
    expect(mayViewLiveLinks({ ...logged, status: 'sent' }, 'member', owner)).toBe(false);
    expect(mayViewLiveLinks({ ...logged, status: 'queued' }, 'member', owner)).toBe(false);
    expect(mayViewLiveLinks(logged, null, owner)).toBe(false);
  });

  it('an email that carries nobody’s sign-in is shown as it is', () => {
    expect(mayViewLiveLinks({ status: 'sent', recipientUserId: null }, null, admin)).toBe(true);
  });
});

describe('email templates', () => {
  it('escape what people typed and carry a plain-text part', () => {
    expect(escapeHtml(`<b a="1">'&`)).toBe('&lt;b a=&quot;1&quot;&gt;&#39;&amp;');
    const mail = magicLinkEmail(
      { platformName: 'A <Club>' },
      { name: '<script>x</script>', url: 'http://h/auth/magic?token=t' },
    );
    expect(mail.subject).toBe('Your sign-in link for A <Club>');
    expect(mail.html).not.toContain('<script>x');
    expect(mail.html).toContain('A &lt;Club&gt;');
    expect(mail.text).toContain('Sign in: http://h/auth/magic?token=t');
  });
});
