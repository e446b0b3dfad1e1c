// The offer form's Thumbnail and Cover section.
import { useEffect, useId, useState } from 'react';
import { api } from '../../../api.ts';
import { Notice, useAction } from '../../../forms.tsx';
import { imageProblem, type Offer, offerPath, uploadOfferMedia } from '../model.ts';

import { type Fields, ImageUploadField, Section } from './common.tsx';

export function MediaSection({
  kind,
  offer,
  onOffer,
  fields,
  pending,
  onPending,
}: {
  kind: 'thumbnail' | 'cover';
  offer: Offer | null;
  onOffer(change: Partial<Offer>): void;
  fields: Fields;
  /** Before the first Save: the image chosen, kept with the draft and uploaded once it is saved. */
  pending: File | null;
  onPending(file: File | null): void;
}) {
  const action = useAction();
  const [inputKey, setInputKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const inputId = useId();
  const isThumb = kind === 'thumbnail';
  const label = isThumb ? 'Thumbnail' : 'Cover';
  const [pendingUrl, setPendingUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!pending) return setPendingUrl(null);
    const objectUrl = URL.createObjectURL(pending);
    setPendingUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [pending]);
  const url = offer ? (isThumb ? offer.thumbnailUrl : offer.coverUrl) : pendingUrl;
  const error = action.errors.fields.image ?? action.errors.fields[kind] ?? fields[kind];

  const upload = async (file: File | undefined) => {
    setNotice(null);
    if (!file) return;
    const problem = imageProblem(file);
    if (problem) {
      action.fail({ image: problem });
      setInputKey((n) => n + 1);
      return;
    }
    if (!offer) {
      action.reset();
      onPending(file);
      setInputKey((n) => n + 1);
      return;
    }
    const result = await action.run(() => uploadOfferMedia(offer.id, kind, file));
    setInputKey((n) => n + 1);
    if (!result.ok) return;
    const saved = result.value.offer;
    onOffer(
      saved
        ? { thumbnailUrl: saved.thumbnailUrl, coverUrl: saved.coverUrl, updatedAt: saved.updatedAt }
        : { [isThumb ? 'thumbnailUrl' : 'coverUrl']: result.value.url },
    );
    setNotice(`The ${label.toLowerCase()} is saved.`);
  };

  const remove = async () => {
    if (!offer) {
      onPending(null);
      return;
    }
    setNotice(null);
    const result = await action.run(() => api.delete<Offer>(`${offerPath(offer.id)}/media/${kind}`));
    if (!result.ok) return;
    onOffer({
      thumbnailUrl: result.value.thumbnailUrl,
      coverUrl: result.value.coverUrl,
      updatedAt: result.value.updatedAt,
    });
    setNotice(`The ${label.toLowerCase()} is removed.`);
  };

  const otherMessage =
    action.errors.message && !error && action.errors.code !== 'client' ? action.errors.message : null;

  return (
    <Section
      id={`offer-${kind}`}
      title={isThumb ? 'Thumbnail' : 'Cover (Optional)'}
      intro={
        isThumb
          ? 'A thumbnail image that will be displayed on the checkout page. Required to publish. Shown square: the middle of the image is kept.'
          : 'A wide image beside the offer on the checkout page, and at the top of the landing page’s hero. Shown at 16:9: the middle is kept.'
      }
    >
      {notice && <Notice>{notice}</Notice>}
      {otherMessage && (
        <div className="alert alert-error" role="alert">
          <p>{otherMessage}</p>
        </div>
      )}
      <div className={`offer-media offer-media-${kind}`}>
        {url ? (
          <figure className="offer-media-figure">
            <img
              className={`offer-media-preview offer-media-preview-${kind}`}
              src={url}
              alt={`${label} preview`}
            />
            {!offer && (
              <figcaption className="badge badge-info">Not uploaded yet: saved with the draft</figcaption>
            )}
          </figure>
        ) : (
          <div className={`offer-media-preview offer-media-preview-${kind} offer-media-empty`}>
            <span>No {label.toLowerCase()}</span>
          </div>
        )}
        <ImageUploadField
          inputId={inputId}
          inputKey={inputKey}
          label={url ? `Replace ${label.toLowerCase()}` : `Upload ${label.toLowerCase()}`}
          hint={`PNG, JPEG, WebP or GIF, at most 5 MB. ${isThumb ? 'Square works best.' : 'Wide works best, e.g. 1600 × 900.'}${offer ? '' : ' It is uploaded when you save the draft.'}`}
          errorLabel={label}
          error={error}
          disabled={action.pending}
          pending={action.pending}
          onFile={(file) => void upload(file)}
        >
          {url && (
            <div>
              <button
                type="button"
                className="button button-small button-danger-quiet"
                disabled={action.pending}
                onClick={() => void remove()}
              >
                Remove {label.toLowerCase()}
              </button>
            </div>
          )}
        </ImageUploadField>
      </div>
    </Section>
  );
}
