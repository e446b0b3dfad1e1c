// After publishing: the page's link to copy, a QR code to print or show, and the page itself.
import qrcode from 'qrcode-generator';
import { useMemo, useState } from 'react';
import { Modal } from '../../ui.tsx';

/** The QR code of `text` as SVG path data (one square per dark module) and its size in modules. */
export function qrPath(text: string): { d: string; size: number } {
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const size = code.getModuleCount();
  let d = '';
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++) if (code.isDark(row, col)) d += `M${col} ${row}h1v1h-1z`;
  return { d, size };
}

const QUIET = 4;

export function PublishedDialog({ url, title, onClose }: { url: string; title: string; onClose(): void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const qr = useMemo(() => qrPath(url), [url]);
  const box = qr.size + QUIET * 2;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${box} ${box}" shape-rendering="crispEdges"><rect width="${box}" height="${box}" fill="#fff"/><path transform="translate(${QUIET} ${QUIET})" fill="#000" d="${qr.d}"/></svg>`;

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
      <figure className="published-qr">
        <svg
          viewBox={`0 0 ${box} ${box}`}
          shapeRendering="crispEdges"
          role="img"
          aria-label={`QR code for ${url}`}
        >
          <rect width={box} height={box} fill="#fff" />
          <path transform={`translate(${QUIET} ${QUIET})`} fill="#000" d={qr.d} />
        </svg>
        <figcaption>
          <a
            href={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
            download="offer-qr-code.svg"
          >
            Download QR code
          </a>
        </figcaption>
      </figure>
    </Modal>
  );
}
