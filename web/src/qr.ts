// A QR code of a link, as an SVG data URL (shown as an image, and downloadable as it is).
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

export function useQrCode(text: string, width = 160): string | null {
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(text, { type: 'svg', margin: 1, width }).then((svg) => {
      if (live) setQr(`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`);
    });
    return () => {
      live = false;
    };
  }, [text, width]);
  return qr;
}
