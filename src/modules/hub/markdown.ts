// Markdown written by members, rendered to HTML that is safe to show anyone: raw HTML is kept as text,
// only http(s) and mailto links survive, links open apart and carry rel="nofollow ugc noopener", and
// images are shown as links (a member's post must not load third-party pixels into everyone's page).
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
md.disable(['image']);

const SAFE_LINK = /^(https?:|mailto:)/i;
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());

md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  const token = tokens[index]!;
  token.attrSet('rel', 'nofollow ugc noopener');
  token.attrSet('target', '_blank');
  return self.renderToken(tokens, index, options);
};

export const MAX_BODY_LENGTH = 20_000;

/** The sanitized HTML of a member's Markdown. */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
