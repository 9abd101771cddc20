import { useMemo, useRef, useState } from 'react';

/**
 * Shows sanitized email HTML in a sandboxed frame: no scripts (no allow-scripts),
 * a strict policy of its own (no network but our own inline images, until the
 * reader asks for remote images), links open in a new tab. The frame shares our
 * origin only so its inline images load with the session cookie and its height
 * can be read; without scripts it can do nothing with that.
 */
export function MailFrame({ html, title }: { html: string; title: string }) {
  const [showRemote, setShowRemote] = useState(false);
  const frame = useRef<HTMLIFrameElement>(null);
  const remoteCount = useMemo(() => (html.match(/\sdata-remote-src="/g) ?? []).length, [html]);
  const doc = useMemo(() => frameDocument(showRemote ? withRemoteImages(html) : html, showRemote), [html, showRemote]);

  const fit = () => {
    const body = frame.current?.contentDocument?.documentElement;
    if (frame.current && body) frame.current.style.height = `${Math.max(body.scrollHeight, 80) + 4}px`;
  };

  return (
    <div className="mail-body">
      {remoteCount > 0 && !showRemote && (
        <p className="remote-notice" role="status">
          Remote images are blocked to protect your privacy.{' '}
          <button onClick={() => setShowRemote(true)}>Show images</button>
        </p>
      )}
      <iframe
        ref={frame}
        title={`Email: ${title}`}
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        srcDoc={doc}
        onLoad={fit}
      />
    </div>
  );
}

function frameDocument(body: string, remote: boolean): string {
  const images = remote ? "'self' data: https: http:" : "'self' data:";
  const policy = `default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}"><base target="_blank"><style>body{margin:0;padding:12px 4px;font:14px/1.5 system-ui,sans-serif;color:#1d2433;overflow-wrap:anywhere}img{max-width:100%;height:auto}blockquote{margin:0 0 0 .5em;padding-left:.75em;border-left:3px solid #ccd}</style></head><body>${body}</body></html>`;
}

/** The blocked remote images, switched on (the HTML is parsed inertly: nothing runs or loads here). */
function withRemoteImages(html: string): string {
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  for (const img of parsed.querySelectorAll<HTMLImageElement>('img[data-remote-src]')) {
    img.setAttribute('src', img.getAttribute('data-remote-src') ?? '');
    img.removeAttribute('data-remote-src');
  }
  return parsed.body.innerHTML;
}
