// /unsubscribe?u=…&k=…&t=…: the link at the foot of a notification email. Opening it changes nothing
// (mail scanners open links); the button stops the emails of that kind (k), or all of them (a digest's
// link has no k), with no sign-in needed (the link is signed).
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, errorMessage } from '../api.ts';
import { usePlatformName } from '../session.tsx';
import { useTitle } from '../ui.tsx';

const KINDS: Record<string, string> = {
  replies: 'comments on your posts and replies to you',
  mentions: 'mentions of you',
  posts: 'new posts in groups you follow',
};

export function UnsubscribePage() {
  const platformName = usePlatformName();
  useTitle(`Notification emails · ${platformName}`);
  const [params] = useSearchParams();
  const kind = params.get('k') ?? '';
  const about = KINDS[kind] ?? 'notifications (replies, mentions, new posts)';
  const [state, setState] = useState<'ask' | 'sending' | 'done' | { error: string }>('ask');
  const stop = async () => {
    setState('sending');
    try {
      const query = new URLSearchParams({
        u: params.get('u') ?? '',
        ...(kind ? { k: kind } : {}),
        t: params.get('t') ?? '',
      });
      await api.post(`/notifications/unsubscribe?${query}`, {});
      setState('done');
    } catch (error) {
      setState({ error: errorMessage(error) });
    }
  };
  return (
    <main className="centered" id="main">
      <div className="card narrow">
        <h1>Notification emails</h1>
        {state === 'done' ? (
          <>
            <p role="status">
              Done: {platformName} will not email you about {about} any more.
            </p>
            <p>
              The bell in the hub still shows them. To have these emails again, choose on your{' '}
              <Link to="/account">Account</Link> page.
            </p>
          </>
        ) : (
          <>
            <p>
              Stop the emails {platformName} sends you about {about}?
            </p>
            {typeof state === 'object' && (
              <p className="alert alert-error" role="alert">
                {state.error}
              </p>
            )}
            <p className="button-row">
              <button
                type="button"
                className="button button-primary"
                disabled={state === 'sending'}
                onClick={() => void stop()}
              >
                Stop these emails
              </button>
            </p>
          </>
        )}
      </div>
    </main>
  );
}
