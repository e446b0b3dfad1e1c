import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

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

  it('shows images as text, never loading them', () => {
    expect(renderMarkdown('![pixel](https://tracker.example/p.gif)')).not.toContain('<img');
  });
});
