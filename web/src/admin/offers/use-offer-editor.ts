// The offer editor's state and actions, apart from its views: one draft for both tabs, Save (with a
// preview of what a Community Permissions change does to existing buyers), publishing, archive and
// delete. Nothing typed is lost when the server says no; leaving with unsaved work asks first.
import { useCallback, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import type { Block } from '../../../../src/pages/blocks.tsx';
import { api } from '../../api.ts';
import { useAction, useLeaveGuard } from '../../forms.tsx';
import { usePlatformName } from '../../session.tsx';
import { useTitle } from '../../ui.tsx';
import {
  blockErrorsOf,
  changeOf,
  type Draft,
  diffOf,
  draftOf,
  isDirty,
  newDraft,
  type Offer,
  type OfferChange,
  type OfferStatus,
  offerPath,
  type PermissionImpact,
  uploadOfferMedia,
} from './model.ts';
import type { SaveProblem } from './sections/index.ts';

/** A Save waiting for the creator to confirm what a permission change does to existing buyers. */
export interface Pending {
  impact: PermissionImpact;
  proceed(): void;
}

export function useOfferEditor({
  initial,
  defaultCurrency,
  created,
}: {
  initial: Offer | null;
  defaultCurrency: string;
  /** Just created: with the images that could not be uploaded with it, if any. */
  created: false | { mediaFailed: string[] };
}) {
  const platformName = usePlatformName();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const tab: 'offer' | 'landing' = params.get('tab') === 'landing' ? 'landing' : 'offer';
  const [saved, setSaved] = useState<Offer | null>(initial);
  const blank = useMemo(() => newDraft(defaultCurrency), [defaultCurrency]);
  const [draft, setDraft] = useState<Draft>(() => (initial ? draftOf(initial) : blank));
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const action = useAction();
  const [details, setDetails] = useState<unknown>(null);
  const [sentBlocks, setSentBlocks] = useState<Block[]>([]);
  const [notice, setNotice] = useState<string | null>(
    created
      ? created.mediaFailed.length
        ? `The draft is saved, but the ${created.mediaFailed.join(' and the ')} could not be uploaded: choose ${created.mediaFailed.length > 1 ? 'them' : 'it'} again.`
        : 'The draft is saved.'
      : null,
  );
  // Images chosen before the first Save: kept with the draft, uploaded right after it is created.
  const [pendingMedia, setPendingMedia] = useState<Partial<Record<'thumbnail' | 'cover', File>>>({});
  const choosePending = useCallback((kind: 'thumbnail' | 'cover', file: File | null) => {
    setPendingMedia((current) => {
      const next = { ...current };
      if (file) next[kind] = file;
      else delete next[kind];
      return next;
    });
  }, []);
  const [pending, setPending] = useState<Pending | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const remove = useAction();
  const archive = useAction();

  useTitle(`${draft.title || (saved ? saved.title : 'New membership')} · Digital Offers · ${platformName}`);

  const update = useCallback((patch: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    setNotice(null);
  }, []);

  const dirty = isDirty(saved, draft, blank) || (!saved && Object.keys(pendingMedia).length > 0);
  // Leaving the page with unsaved work asks first: the tab closed or reloaded, or a link followed.
  const leaveGuard = useLeaveGuard(dirty);

  const showSummary = () =>
    requestAnimationFrame(() => {
      summary.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
      summary.current?.focus({ preventScroll: true });
    });

  const setTab = (next: 'offer' | 'landing') => {
    const copy = new URLSearchParams(params);
    if (next === 'landing') copy.set('tab', 'landing');
    else copy.delete('tab');
    setParams(copy, { replace: true });
  };

  /** Sends the change; a failure leaves every typed value where it is. */
  const send = async (change: OfferChange) => {
    setSentBlocks(draft.blocks);
    const sentDraft = draftRef.current;
    setDetails(null);
    // A new offer's images chosen before this first Save go up within the same pending action, so a
    // second click cannot create the offer twice while they upload.
    const mediaFailed: string[] = [];
    const result = await action.run(async () => {
      if (saved) return Object.keys(change).length ? api.patch<Offer>(offerPath(saved.id), change) : saved;
      const created = await api.post<Offer>('/offers', { type: 'membership', ...change });
      for (const kind of ['thumbnail', 'cover'] as const) {
        const file = pendingMedia[kind];
        if (!file) continue;
        // The offer exists now: an image that fails is said on its page, the offer is kept.
        const uploaded = await uploadOfferMedia(created.id, kind, file).then(
          () => true,
          () => false,
        );
        if (!uploaded) mediaFailed.push(kind);
      }
      return created;
    });
    if (!result.ok) {
      const error = result.error as { details?: unknown };
      setDetails(error?.details ?? null);
      showSummary();
      return false;
    }
    const offer = result.value;
    if (!saved) {
      leaveGuard.leaveFreely();
      navigate(`/admin/offers/${encodeURIComponent(offer.id)}${tab === 'landing' ? '?tab=landing' : ''}`, {
        replace: true,
        state: { created: true, mediaFailed },
      });
      return true;
    }
    setSaved(offer);
    // What the server stored becomes the form, unless the creator typed on while it was saving.
    if (draftRef.current === sentDraft) setDraft(draftOf(offer));
    return true;
  };

  /** Save, or Save with a status change (Publish, Unpublish, Restore). */
  const save = async (status?: OfferStatus, success?: string) => {
    setNotice(null);
    const { change, problems } = saved ? diffOf(saved, draft) : changeOf(draft);
    if (Object.keys(problems).length > 0) {
      action.fail(problems, 'Please check the highlighted fields.');
      setDetails(null);
      setSentBlocks(draft.blocks);
      showSummary();
      return;
    }
    if (!saved && !draft.title.trim()) {
      action.fail({ title: 'is required' }, 'Please check the highlighted fields.');
      showSummary();
      return;
    }
    const full: OfferChange = status ? { ...change, status } : { ...change };
    // A new offer's slug made from its title is the server's to make unique (it adds a suffix).
    if (!saved && draft.slugFollowsTitle) delete full.slug;
    const go = async () => {
      setPending(null);
      if (await send(full)) setNotice(success ?? (saved ? 'Saved.' : null));
    };
    if (saved && change.hubGroupIds && saved.buyerCount > 0) {
      const impact = await action.run(() =>
        api.get<PermissionImpact>(`${offerPath(saved.id)}/permission-impact`, {
          hubGroupIds: (change.hubGroupIds ?? []).join(','),
        }),
      );
      if (!impact.ok) {
        showSummary();
        return;
      }
      if (impact.value.added.length || impact.value.removed.length) {
        setPending({ impact: impact.value, proceed: () => void go() });
        return;
      }
    }
    await go();
  };

  const doArchive = async () => {
    if (!saved) return;
    setNotice(null);
    remove.reset();
    // Unsaved edits are saved first, so archiving never throws work away.
    if (dirty) {
      const { change, problems } = diffOf(saved, draft);
      if (Object.keys(problems).length) {
        action.fail(problems, 'Please check the highlighted fields.');
        showSummary();
        return;
      }
      if (!(await send(change))) return;
    }
    const result = await archive.run(() => api.post<Offer>(`${offerPath(saved.id)}/archive`));
    if (!result.ok) return;
    setSaved(result.value);
    setNotice('Archived: nobody new can join or buy it; existing buyers keep their access.');
  };

  const doDelete = async () => {
    if (!saved) return;
    const result = await remove.run(() => api.delete(offerPath(saved.id)));
    setConfirmDelete(false);
    if (!result.ok) return;
    leaveGuard.leaveFreely();
    navigate('/admin/offers', { replace: true });
  };

  const fields = action.errors.fields;
  const problem: SaveProblem = {
    code: action.errors.code,
    message: action.errors.message,
    details,
  };
  const blockErrors = blockErrorsOf(fields, sentBlocks);
  const status = saved?.status ?? 'draft';
  const busy = action.pending || archive.pending || remove.pending;

  /** An upload changed the stored offer's media: the saved copy follows, the draft is untouched. */
  const patchSaved = (patch: Partial<Offer>) =>
    setSaved((current) => (current ? { ...current, ...patch } : current));

  return {
    leaveDialog: leaveGuard.dialog,
    pendingMedia,
    choosePending,
    patchSaved,
    tab,
    setTab,
    saved,
    draft,
    update,
    dirty,
    notice,
    setNotice,
    pending,
    setPending,
    confirmDelete,
    setConfirmDelete,
    summary,
    action,
    remove,
    archive,
    save,
    doArchive,
    doDelete,
    fields,
    problem,
    blockErrors,
    status,
    busy,
  };
}
