// The offer form's Title and Address section: its title, description and URL slug.
import { TextAreaField, TextField } from '../../../forms.tsx';
import { slugify } from '../model.ts';
import { Section, type SectionProps } from './common.tsx';

export function TitleSection({ draft, update, fields }: SectionProps) {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const url = `${origin}/offers/${draft.slug || '…'}`;
  return (
    <Section id="offer-title" title="Title and Address">
      <TextField
        label="Title"
        name="title"
        value={draft.title}
        onValue={(title) => update(draft.slugFollowsTitle ? { title, slug: slugify(title) } : { title })}
        error={fields.title}
        hint="Enter a title for your membership offer."
        maxLength={120}
        autoComplete="off"
        required
      />
      <TextAreaField
        label="Description (optional)"
        name="description"
        value={draft.description}
        onValue={(description) => update({ description })}
        error={fields.description}
        hint="A sentence or two shown under the title on the checkout page, and by links shared on social media."
        rows={2}
        maxLength={300}
      />
      <TextField
        label="URL slug"
        name="slug"
        value={draft.slug}
        onValue={(slug) => update({ slug, slugFollowsTitle: false })}
        error={fields.slug}
        hint={
          <>
            The offer's public address: <span className="offer-url">{url}</span>
            {draft.slugFollowsTitle ? ' (follows the title until you edit it)' : ''}
          </>
        }
        maxLength={60}
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="none"
      />
    </Section>
  );
}
