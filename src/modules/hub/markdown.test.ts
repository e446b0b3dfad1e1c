import { describe, expect, it } from 'vitest';
import { mentionedUserIds, renderMarkdown } from './markdown.ts';

describe('member Markdown', () => {
  it('renders ordinary Markdown', () => {
    expect(renderMarkdown('**bold** and _em_\n\n- one\n- two')).toContain('<strong>bold</strong>');
    expect(renderMarkdown('- one\n- two')).toContain('<li>one</li>');
  });

  it('keeps raw HTML and script as text', () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(2)> <b>b</b>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('gives links rel="nofollow ugc noopener" and drops dangerous schemes', () => {
    const html = renderMarkdown('[site](https://example.com) and https://auto.example');
    expect(html).toContain(
      '<a href="https://example.com" rel="nofollow ugc noopener" target="_blank">site</a>',
    );
    expect(html).toContain('href="https://auto.example" rel="nofollow ugc noopener"');
    for (const bad of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,<script>x</script>',
      'vbscript:x',
    ]) {
      expect(renderMarkdown(`[x](${bad})`)).not.toContain('href=');
    }
  });

  it('shows only images uploaded here; another image is a link, never loaded', () => {
    const third = renderMarkdown('![pixel](https://tracker.example/p.gif)');
    expect(third).not.toContain('<img');
    expect(third).toContain('<a href="https://tracker.example/p.gif" rel="nofollow ugc noopener"');
    const own = `/media/ab/${'c'.repeat(32)}.webp`;
    expect(renderMarkdown(`![Our "kiln"](${own})`)).toContain(
      `<img src="${own}" alt="Our &quot;kiln&quot;" loading="lazy">`,
    );
    // Near misses of our own path are not ours: no img, and no link where the scheme is not allowed.
    for (const src of [`/media/ab/${'c'.repeat(32)}.svg`, '/media/../secrets', `//evil.example${own}`]) {
      expect(renderMarkdown(`![x](${src})`)).not.toContain('<img');
    }
    expect(renderMarkdown('![x](javascript:alert(1))')).not.toContain('href=');
  });

  it('renders a mention as its name, escaped, and lists whom it mentions outside code', () => {
    const ann = '0b6f2a1e-6a7d-4f6e-9c1b-2f3a4b5c6d7e';
    const bob = '1c7a3b2f-7b8e-4a7f-8d2c-3a4b5c6d7e8f';
    const source = `Hi @[Ann <b>](member:${ann}) and @[Bob](member:${bob}), again @[Ann](member:${ann}).\n\n\`@[Zed](member:${bob})\``;
    expect(renderMarkdown(source)).toContain('<span class="mention">@Ann &lt;b&gt;</span>');
    expect(mentionedUserIds(source)).toEqual([ann, bob]);
    expect(mentionedUserIds('plain @Ann and @[Ann](member:not-an-id)')).toEqual([]);
    expect(renderMarkdown('@[Ann](member:not-an-id)')).not.toContain('mention');
  });
});
