import { decodeHTML } from 'entities';

/**
 * The marks a tracked email carries: its http(s) links point at click
 * redirects, and a 1×1 image at the end asks for the open pixel. Only the
 * href values and one <img> change; everything else is the user's HTML as written.
 */

// An <a> start tag up to its href value (quoted or not). Other attributes and the text stay as they are.
const ANCHOR_HREF = /(<a\b[^>]*?\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;

/** The links a tracked copy redirects, in the order they appear (one index per occurrence). */
export function trackableLinks(html: string): string[] {
  const links: string[] = [];
  for (const match of html.matchAll(ANCHOR_HREF)) {
    const url = trackableUrl(match[2] ?? match[3] ?? match[4] ?? '');
    if (url !== null) links.push(url);
  }
  return links;
}

export interface MarkUrls {
  /** The open pixel's address for this recipient. */
  pixel: string;
  /** The click redirect for this recipient and the link at this index (as trackableLinks numbers them). */
  click(linkIndex: number): string;
}

/** The HTML with every trackable link sent through its redirect and the open pixel added. */
export function markHtml(html: string, urls: MarkUrls): string {
  let index = 0;
  const linked = html.replace(ANCHOR_HREF, (whole, start: string, dq?: string, sq?: string, bare?: string) => {
    if (trackableUrl(dq ?? sq ?? bare ?? '') === null) return whole;
    return `${start}"${urls.click(index++)}"`;
  });
  const pixel = `<img src="${urls.pixel}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  const bodyEnd = linked.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
  return bodyEnd === -1 ? `${linked}${pixel}` : `${linked.slice(0, bodyEnd)}${pixel}${linked.slice(bodyEnd)}`;
}

/** The decoded URL when it is an absolute http(s) address; null for mailto:, fragments and the like. */
function trackableUrl(attribute: string): string | null {
  const url = decodeHTML(attribute).trim();
  if (!/^https?:\/\//i.test(url)) return null;
  try {
    return new URL(url).href === '' ? null : url;
  } catch {
    return null;
  }
}
