// /hub/people/:id: a member's profile — avatar, name, bio, links — and their latest posts the viewer
// may see. On one's own, the bio, links and avatar are edited in place.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, type Profile, request, type User } from '../api.ts';
import { FormAlert, Notice, onSubmit, SubmitButton, TextAreaField, TextField, useAction } from '../forms.tsx';
import { Avatar } from '../hub-common.tsx';
import { usePlatformName } from '../session.tsx';
import { LoadError, Loading, Time, useLoad, useTitle } from '../ui.tsx';
import { plural } from './hub-posts/shared.tsx';

export function ProfilePage({ me }: { me: User }) {
  const { id = '' } = useParams();
  const platformName = usePlatformName();
  const profile = useLoad(
    () => api.get<Profile>(`/hub/people/${encodeURIComponent(id)}`),
    ['hub-profile', id],
  );
  useTitle(`${profile.data?.name ?? 'Profile'} · ${platformName}`);
  if (profile.error) return <LoadError error={profile.error} retry={profile.reload} />;
  if (!profile.data) return <Loading />;
  const person = profile.data;
  const mine = person.id === me.id;
  return (
    <>
      <header className="profile-header">
        <Avatar name={person.name} url={person.avatarUrl} size="large" />
        <div>
          <h1>{person.name}</h1>
          <p className="muted">
            {person.staff ? 'Runs this community · ' : ''}Member since <Time iso={person.memberSince} />
          </p>
        </div>
      </header>
      {person.bio && <p className="profile-bio">{person.bio}</p>}
      {person.links.length > 0 && (
        <ul className="profile-links">
          {person.links.map((link) => (
            <li key={link}>
              <a href={link} rel="nofollow ugc noopener" target="_blank">
                {link.replace(/^https?:\/\//, '')}
              </a>
            </li>
          ))}
        </ul>
      )}
      {mine && <ProfileEditor profile={person} onSaved={profile.setData} />}
      <h2>Latest posts</h2>
      {person.posts.length === 0 ? (
        <p className="muted">No posts you can see yet.</p>
      ) : (
        <ul className="search-results" aria-label="Latest posts">
          {person.posts.map((post) => (
            <li key={post.id} className="card search-hit">
              <p className="post-group">
                <Link to={`/hub/g/${encodeURIComponent(post.group.slug)}`}>{post.group.name}</Link>
                <span className="muted">
                  {' '}
                  · <Time iso={post.createdAt} />
                </span>
              </p>
              <h3 className="search-hit-title">
                <Link to={`/hub/p/${encodeURIComponent(post.id)}`}>{post.title ?? 'Post'}</Link>
              </h3>
              <p className="search-snippet">{post.excerpt}</p>
              <p className="muted search-hit-meta">
                {plural(post.likeCount, 'like', 'likes')} · {plural(post.commentCount, 'comment', 'comments')}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ProfileEditor({ profile, onSaved }: { profile: Profile; onSaved(profile: Profile): void }) {
  const [bio, setBio] = useState(profile.bio);
  const [links, setLinks] = useState(() => [...profile.links, '', '', ''].slice(0, 3));
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();
  const save = async () => {
    setSaved(null);
    const result = await action.run(() => api.patch<Profile>('/hub/profile', { bio, links }));
    if (result.ok) {
      onSaved(result.value);
      setSaved('Your profile is saved.');
    }
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setSaved(null);
    const result = await action.run(() =>
      request<Profile>('PUT', '/hub/profile/avatar', {
        file: { data: file, contentType: file.type || 'image/png' },
      }),
    );
    if (result.ok) {
      onSaved(result.value);
      setSaved('Your picture is saved.');
    }
  };
  const removeAvatar = async () => {
    const result = await action.run(() => api.delete<Profile>('/hub/profile/avatar'));
    if (result.ok) onSaved(result.value);
  };
  return (
    <section className="card section" aria-labelledby="profile-edit">
      <h2 id="profile-edit">Your profile</h2>
      <p className="field-hint">
        Everyone who can see your posts sees this page. Your name is changed on the{' '}
        <Link to="/account">Account</Link> page.
      </p>
      <FormAlert
        errors={action.errors}
        fields={['bio', 'links', 'links.0', 'links.1', 'links.2', 'avatar']}
      />
      {saved && <Notice>{saved}</Notice>}
      <div className="field">
        <label htmlFor="profile-avatar">Picture</label>
        <input
          id="profile-avatar"
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          onChange={(event) => void upload(event.target.files?.[0])}
        />
        {profile.avatarUrl && (
          <button type="button" className="button button-small" onClick={() => void removeAvatar()}>
            Remove picture
          </button>
        )}
      </div>
      <form onSubmit={onSubmit(save)} noValidate>
        <TextAreaField
          label="Bio"
          name="bio"
          value={bio}
          onValue={setBio}
          error={action.errors.fields.bio}
          rows={3}
          maxLength={300}
          hint="A line or two about you."
        />
        {links.map((link, index) => (
          <TextField
            // biome-ignore lint/suspicious/noArrayIndexKey: three fixed slots.
            key={index}
            label={`Link ${index + 1}`}
            name={`link-${index}`}
            type="url"
            value={link}
            placeholder="https://"
            onValue={(value) => setLinks((current) => current.map((l, i) => (i === index ? value : l)))}
            error={action.errors.fields[`links.${index}`]}
            autoComplete="url"
          />
        ))}
        <SubmitButton pending={action.pending}>Save profile</SubmitButton>
      </form>
    </section>
  );
}
