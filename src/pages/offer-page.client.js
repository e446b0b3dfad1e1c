// The only script of the public offer pages (served from our origin, so CSP stays 'self'). It talks to
// the creator's custom code, which runs in a sandboxed frame: it tells it about a completed join or
// purchase, and lets it ask for room on the page (a chat widget), within bounds.
(() => {
  const frame = document.querySelector('iframe[data-custom-code]');
  if (!frame) return;
  const conversion = frame.getAttribute('data-conversion');
  frame.addEventListener('load', () => {
    if (conversion)
      frame.contentWindow?.postMessage({ type: 'guildhall:conversion', ...JSON.parse(conversion) }, '*');
  });
  window.addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow) return;
    const data = event.data;
    if (!data || data.type !== 'guildhall:resize') return;
    const width = Math.max(0, Math.min(400, Number(data.width) || 0));
    const height = Math.max(0, Math.min(640, Number(data.height) || 0));
    frame.style.width = `${width}px`;
    frame.style.height = `${height}px`;
  });
})();
