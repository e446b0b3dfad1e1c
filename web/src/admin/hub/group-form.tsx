// Creating or editing a hub group: name, address, description, emoji, visibility, who may write, and its
// paywall.
import { useState } from 'react';
import { api, type HubGroup, type Visibility } from '../../api.ts';
import {
  FormAlert,
  Notice,
  onSubmit,
  RadioField,
  SubmitButton,
  TextAreaField,
  TextField,
  useAction,
} from '../../forms.tsx';
import { slugify, VISIBILITY_HINTS, VISIBILITY_LABELS } from '../../hub-common.tsx';
import { groupPath } from './shared.ts';

interface Draft {
  name: string;
  slug: string;
  description: string;
  emoji: string;
  visibility: Visibility;
  paywallCta: string;
  paywallDescription: string;
  paywallMode: 'offers' | 'url';
  paywallUrl: string;
  whoMayPost: 'members' | 'staff';
  comments: 'on' | 'off';
  directory: 'on' | 'off';
}

function draftOf(group: HubGroup | null): Draft {
  return {
    name: group?.name ?? '',
    slug: group?.slug ?? '',
    description: group?.description ?? '',
    emoji: group?.emoji ?? '',
    visibility: group?.visibility ?? 'public',
    paywallCta: group?.paywall.callToAction ?? '',
    paywallDescription: group?.paywall.description ?? '',
    paywallMode: group?.paywall.url ? 'url' : 'offers',
    paywallUrl: group?.paywall.url ?? '',
    whoMayPost: group?.whoMayPost ?? 'members',
    comments: group && !group.commentsOn ? 'off' : 'on',
    directory: group && !group.directoryOn ? 'off' : 'on',
  };
}

const GROUP_FIELDS = [
  'name',
  'slug',
  'description',
  'emoji',
  'visibility',
  'paywallCta',
  'paywallDescription',
  'paywallUrl',
  'whoMayPost',
  'commentsOn',
  'directoryOn',
];

export function GroupForm({
  group,
  onSaved,
  onCancel,
}: {
  group: HubGroup | null;
  onSaved(group: HubGroup): void;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(group));
  // While creating, the slug follows the name until the admin types one of their own.
  const [slugEdited, setSlugEdited] = useState(group !== null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const fields = action.errors.fields;
  const set = (key: keyof Draft) => (value: string) => {
    setSaved(false);
    setDraft((current) => ({
      ...current,
      [key]: value,
      ...(key === 'name' && !slugEdited ? { slug: slugify(value) } : {}),
    }));
  };

  const submit = async () => {
    setSaved(false);
    const body: Record<string, string | boolean | null> = {
      name: draft.name,
      description: draft.description,
      emoji: draft.emoji.trim() || null,
      visibility: draft.visibility,
      whoMayPost: draft.whoMayPost,
      commentsOn: draft.comments === 'on',
      directoryOn: draft.directory === 'on',
    };
    if (draft.slug.trim()) body.slug = draft.slug.trim();
    if (group && draft.visibility === 'private') {
      body.paywallCta = draft.paywallCta.trim() || null;
      body.paywallDescription = draft.paywallDescription.trim() || null;
      body.paywallUrl = draft.paywallMode === 'url' ? draft.paywallUrl.trim() || null : null;
    }
    const result = await action.run(() =>
      group ? api.patch<HubGroup>(groupPath(group.id), body) : api.post<HubGroup>('/hub-groups', body),
    );
    if (!result.ok) return;
    if (group) {
      setDraft(draftOf(result.value));
      setSaved(true);
    }
    onSaved(result.value);
  };

  return (
    <form onSubmit={onSubmit(submit)} noValidate>
      <FormAlert errors={action.errors} fields={GROUP_FIELDS} />
      {saved && <Notice>The group is saved.</Notice>}
      <div className="form-row">
        <TextField
          label="Name"
          name="name"
          value={draft.name}
          onValue={set('name')}
          error={fields.name}
          autoComplete="off"
          maxLength={80}
          autoFocus={group === null}
        />
        <TextField
          label="URL slug"
          name="slug"
          value={draft.slug}
          onValue={(value) => {
            setSlugEdited(true);
            set('slug')(value);
          }}
          error={fields.slug}
          autoComplete="off"
          spellCheck={false}
          maxLength={60}
          hint={`Members open it at /hub/g/${draft.slug || slugify(draft.name) || '…'}`}
        />
      </div>
      <TextAreaField
        label="Description"
        name="description"
        value={draft.description}
        onValue={set('description')}
        error={fields.description}
        rows={3}
        maxLength={2000}
      />
      <TextField
        label="Emoji"
        name="emoji"
        value={draft.emoji}
        onValue={set('emoji')}
        error={fields.emoji}
        autoComplete="off"
        className="input-short"
        hint="One emoji shown beside the name, unless the group has an image."
      />
      <RadioField
        legend="Permission"
        name="visibility"
        value={draft.visibility}
        onValue={set('visibility')}
        error={fields.visibility}
        options={(['public', 'private', 'hidden'] as const).map((value) => ({
          value,
          label: VISIBILITY_LABELS[value],
          hint: VISIBILITY_HINTS[value],
        }))}
      />
      <RadioField
        legend="Who may post"
        name="whoMayPost"
        value={draft.whoMayPost}
        onValue={set('whoMayPost')}
        error={fields.whoMayPost}
        options={[
          { value: 'members', label: 'Everyone who may enter' },
          {
            value: 'staff',
            label: 'Only the owner and admins',
            hint: 'An announcement group: members read and, if comments are on, reply.',
          },
        ]}
      />
      <RadioField
        legend="Comments"
        name="comments"
        value={draft.comments}
        onValue={set('comments')}
        error={fields.commentsOn}
        options={[
          { value: 'on', label: 'Members may comment' },
          { value: 'off', label: 'Only the owner and admins comment' },
        ]}
      />
      {/* A public group lists nobody (every member may enter it): nothing to choose. */}
      {draft.visibility !== 'public' && (
        <RadioField
          legend="Member directory"
          name="directory"
          value={draft.directory}
          onValue={set('directory')}
          error={fields.directoryOn}
          options={[
            {
              value: 'on',
              label: 'Members see who else is in the group',
              hint: 'A list by name with each person’s profile (never an email).',
            },
            { value: 'off', label: 'Only the owner and admins see who is in it' },
          ]}
        />
      )}
      {group && draft.visibility === 'private' && (
        <fieldset className="card-inset">
          <legend>Paywall</legend>
          <p className="field-hint">What members without access see when they open this group.</p>
          <TextField
            label="Paywall Call-to-Action"
            name="paywallCta"
            value={draft.paywallCta}
            onValue={set('paywallCta')}
            error={fields.paywallCta}
            maxLength={200}
            autoComplete="off"
            hint={`The heading. Left empty: “Join to enter ${draft.name || 'this group'}”.`}
          />
          <TextAreaField
            label="Paywall Description"
            name="paywallDescription"
            value={draft.paywallDescription}
            onValue={set('paywallDescription')}
            error={fields.paywallDescription}
            rows={3}
            maxLength={2000}
          />
          <RadioField
            legend="The paywall leads to"
            name="paywallMode"
            value={draft.paywallMode}
            onValue={(value) => set('paywallMode')(value)}
            options={[
              { value: 'offers', label: 'The offers that grant this group' },
              {
                value: 'url',
                label: 'An external URL instead',
                hint: 'A checkout or landing page elsewhere.',
              },
            ]}
          />
          {draft.paywallMode === 'url' && (
            <TextField
              label="Paywall URL"
              name="paywallUrl"
              type="url"
              value={draft.paywallUrl}
              onValue={set('paywallUrl')}
              error={fields.paywallUrl}
              placeholder="https://"
              autoComplete="off"
            />
          )}
        </fieldset>
      )}
      <div className="form-actions">
        <SubmitButton pending={action.pending}>{group ? 'Save group' : 'Create group'}</SubmitButton>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
