// Pieces of the Hub shared by the member area and the dashboard: a group's picture, its permission,
// and why someone may enter it.
import type { AccessReason, Visibility } from './api.ts';
import { formatDate } from './format.ts';

export const VISIBILITY_LABELS: Record<Visibility, string> = {
  public: 'Public',
  private: 'Private',
  hidden: 'Hidden',
};

export const VISIBILITY_HINTS: Record<Visibility, string> = {
  public: 'Everyone signed in can see it and enter it.',
  private:
    'Listed to everyone; entered only by buyers of an offer that grants it and people you add by hand.',
  hidden: 'Listed only to those who can enter it: admins, and whoever an offer or a hand grant opens it to.',
};

export function VisibilityBadge({ visibility }: { visibility: Visibility }) {
  const tone =
    visibility === 'public' ? 'badge-success' : visibility === 'private' ? 'badge-info' : 'badge-muted';
  return <span className={`badge ${tone}`}>{VISIBILITY_LABELS[visibility]}</span>;
}

/** The group's image, else its emoji, else its first letter. Decorative: the name is always beside it. */
export function GroupIcon({
  group,
  large = false,
}: {
  group: { name: string; emoji: string | null; imageUrl: string | null };
  large?: boolean;
}) {
  const className = `group-icon${large ? ' group-icon-large' : ''}`;
  if (group.imageUrl) return <img className={className} src={group.imageUrl} alt="" />;
  return (
    <span className={className} aria-hidden="true">
      {group.emoji || group.name.trim().charAt(0).toUpperCase() || '#'}
    </span>
  );
}

/** A 16 px icon drawn in the text's colour, hidden from screen readers (the text beside it speaks). */
function Icon({ d }: { d: string }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path fill="currentColor" d={d} />
    </svg>
  );
}

/** A person's picture, or the first letter of their name on a tint when they have none. */
export function Avatar({
  name,
  url,
  size,
}: {
  name: string;
  url: string | null;
  size: 'tiny' | 'small' | 'large';
}) {
  const pixels = { tiny: 24, small: 40, large: 96 }[size];
  const className = `avatar avatar-${size}`;
  if (url)
    return <img className={className} src={url} alt="" width={pixels} height={pixels} loading="lazy" />;
  return (
    <span className={className} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}

export const LockIcon = () => (
  <Icon d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5Zm-3 8V7a3 3 0 1 1 6 0v3H9Z" />
);

export const BellIcon = () => (
  <Icon d="M12 2a6 6 0 0 0-6 6v3.6l-1.7 3.4A1 1 0 0 0 5.2 16.5h13.6a1 1 0 0 0 .9-1.5L18 11.6V8a6 6 0 0 0-6-6Zm-2.5 16a2.5 2.5 0 0 0 5 0h-5Z" />
);

export const SearchIcon = () => (
  <Icon d="M10 3a7 7 0 1 0 4.2 12.6l4.6 4.6a1 1 0 0 0 1.4-1.4l-4.6-4.6A7 7 0 0 0 10 3Zm-5 7a5 5 0 1 1 10 0 5 5 0 0 1-10 0Z" />
);

/** One reason, in words: "Public group", "Admin", "Granted by hand until 3 Mar 2026", "Membership: Yoga". */
export function reasonText(reason: AccessReason): string {
  switch (reason.kind) {
    case 'public':
      return 'Public group';
    case 'staff':
      return reason.role === 'owner' ? 'Owner' : 'Admin';
    case 'grant':
      return reason.endsAt ? `Granted by hand until ${formatDate(reason.endsAt)}` : 'Granted by hand';
    case 'entitlement': {
      const until =
        reason.accessUntil && reason.state !== 'active' && reason.state !== 'trialing'
          ? ` (${reason.state.replace('_', ' ')}, until ${formatDate(reason.accessUntil)})`
          : reason.state === 'trialing'
            ? ' (trial)'
            : '';
      return `Membership: ${reason.offerTitle}${until}`;
    }
  }
}

// The URL slug the server derives from a name: the server's own function.
export { slugify } from '../../src/platform/text.ts';
