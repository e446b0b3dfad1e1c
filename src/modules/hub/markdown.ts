// Markdown written by members, rendered to HTML that is safe to show anyone: raw HTML is kept as text,
// only http(s) and mailto links survive (and our own /media/ images), links open apart and carry
// rel="nofollow ugc noopener", and an image shows only when it is one uploaded here (re-encoded, in our
// media store): any other image is shown as a link, so a member's post never loads third-party pixels
// into everyone's page.
import MarkdownIt from 'markdown-it';
import { isMediaUrl } from '../../platform/media.ts';

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });

const SAFE_LINK = /^(https?:|mailto:)/i;
md.validateLink = (url: string) => SAFE_LINK.test(url.trim()) || isMediaUrl(url.trim());

md.renderer.rules.image = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  if (isMediaUrl(src))
    return `<img src="${md.utils.escapeHtml(src)}" alt="${md.utils.escapeHtml(alt)}" loading="lazy">`;
  // Someone else's image: a link to it, named by its alt text.
  const label = md.utils.escapeHtml(alt || src);
  return `<a href="${md.utils.escapeHtml(src)}" rel="nofollow ugc noopener" target="_blank">${label}</a>`;
};

md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  const token = tokens[index]!;
  token.attrSet('rel', 'nofollow ugc noopener');
  token.attrSet('target', '_blank');
  return self.renderToken(tokens, index, options);
};

// A mention, as the composer writes it: @[Their name](member:<user id>). Shown as "@Their name"; the
// id says whom to notify (hub.service.ts). Typed by hand without the id, "@name" stays plain text.
const MENTION = /^@\[([^\]\n]{1,80})\]\(member:([0-9a-f-]{36})\)/;
/** At most this many people are told of one post or comment (the rest stay plain mentions). */
export const MAX_MENTIONS = 10;

md.inline.ruler.before('link', 'mention', (state, silent) => {
  if (state.src.charCodeAt(state.pos) !== 0x40) return false;
  const match = MENTION.exec(state.src.slice(state.pos));
  if (!match) return false;
  if (!silent) {
    const token = state.push('mention', '', 0);
    token.meta = { name: match[1], userId: match[2] };
  }
  state.pos += match[0].length;
  return true;
});
md.renderer.rules.mention = (tokens, index) =>
  `<span class="mention">@${md.utils.escapeHtml(String(tokens[index]!.meta?.name ?? ''))}</span>`;

/** The people a member's Markdown mentions (outside code), each once, in order, at most MAX_MENTIONS. */
export function mentionedUserIds(source: string): string[] {
  const ids = new Set<string>();
  for (const block of md.parse(source, {})) {
    for (const token of block.children ?? []) {
      if (token.type === 'mention' && token.meta) ids.add(token.meta.userId as string);
    }
  }
  return [...ids].slice(0, MAX_MENTIONS);
}

export const MAX_BODY_LENGTH = 20_000;

/** The sanitized HTML of a member's Markdown. */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
