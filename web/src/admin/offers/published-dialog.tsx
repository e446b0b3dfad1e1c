// After publishing: the page's link to copy, a QR code to print or show, and the page itself.
import { useState } from 'react';
import { useQrCode } from '../../qr.ts';
import { Modal } from '../../ui.tsx';

export function PublishedDialog({ url, title, onClose }: { url: string; title: string; onClose(): void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const qr = useQrCode(url, 192);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, a refusal): the link stays selected in its field to copy by hand.
      setCopied('no');
      (document.getElementById('published-url') as HTMLInputElement | null)?.select();
    }
  };

  return (
    <Modal
      open
      title="Your offer is live"
      className="published-dialog"
      onClose={onClose}
      actions={
        <>
          <a className="button" href={url} target="_blank" rel="noopener noreferrer">
            Open the page
          </a>
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        </>
      }
    >
      <p>
        Anyone with this link can see <strong>{title}</strong> and join.
      </p>
      <div className="field">
        <label htmlFor="published-url">Link to the offer page</label>
        <div className="published-link">
          <input
            id="published-url"
            type="url"
            readOnly
            value={url}
            onFocus={(event) => event.target.select()}
          />
          <button type="button" className="button" onClick={() => void copy()}>
            Copy link
          </button>
        </div>
        <p className="field-hint" aria-live="polite">
          {copied === 'yes'
            ? 'Copied.'
            : copied === 'no'
              ? 'Press Ctrl+C (⌘C on a Mac) to copy the selected link.'
              : ''}
        </p>
      </div>
      {qr && (
        <figure className="published-qr">
          <img src={qr} alt={`QR code for ${url}`} />
          <figcaption>
            <a href={qr} download="offer-qr-code.svg">
              Download QR code
            </a>
          </figcaption>
        </figure>
      )}
    </Modal>
  );
}
