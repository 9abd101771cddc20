import sanitizeHtml from 'sanitize-html';
import type { Attributes, IOptions, Tag } from 'sanitize-html';
import { sanitizeInlineStyle } from './style.ts';

// Decisions:
// - Allowlist, not blocklist: anything not named below is dropped (scripts,
//   forms, iframes, object/embed, svg/math, meta, base, link…). Disallowed tags
//   lose the tag but keep their text, except NON_TEXT_TAGS which go entirely.
// - <style> blocks are dropped (simplest safe choice); inline styles are kept
//   and filtered by sanitizeInlineStyle. Layouts relying on <style> degrade.
// - class, id and name are dropped so mail cannot borrow the app's CSS nor
//   clobber globals (window.<name>) if ever rendered outside a sandboxed iframe.
// - Remote images never load by themselves: <img src="http(s)://…"> becomes
//   <img src="" data-remote-src="…">; the UI copies it back when asked.
//   `cid:` sources stay for the API to rewrite; `data:image/*` stays except SVG.
// - Links: only http(s), mailto, tel and #fragment; always opened in a new,
//   unprivileged tab (rel="noopener noreferrer" target="_blank").

const EXTRA_TAGS = ['img', 'font', 'center', 'big', 'tt', 'strike', 'del', 'ins', 'acronym'];
const NON_TEXT_TAGS = [
  'script',
  'style',
  'textarea',
  'option',
  'noscript',
  'title',
  'head',
  'template',
  'svg',
  'xml',
  'iframe',
  'object',
];
const LAYOUT_ATTRIBUTES = [
  'style',
  'align',
  'valign',
  'dir',
  'lang',
  'title',
  'width',
  'height',
  'bgcolor',
  'border',
  'cellpadding',
  'cellspacing',
  'colspan',
  'rowspan',
  'nowrap',
  'span',
  'abbr',
  'scope',
];

const REMOTE = /^(?:https?:)?\/\//i;
const INLINE_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|bmp|avif|x-icon|vnd\.microsoft\.icon)[;,]/i;
const SAFE_HREF = /^(?:https?:\/\/|mailto:|tel:|#)/i;

function transformImage(tagName: string, attribs: Attributes): Tag {
  // The source attributes are rebuilt, so a data-remote-src written by the sender never
  // survives; the rest (alt, width, style…) goes on to the allowlist.
  const { src: rawSrc = '', srcset: _srcset, 'data-remote-src': _forged, ...rest } = attribs;
  const out: Attributes = { ...rest };
  const src = rawSrc.trim();
  if (REMOTE.test(src)) {
    out['data-remote-src'] = src.startsWith('//') ? `https:${src}` : src;
    out.src = '';
  } else if (/^cid:/i.test(src) || INLINE_IMAGE.test(src)) {
    out.src = src;
  }
  return { tagName, attribs: out };
}

function transformLink(tagName: string, attribs: Attributes): Tag {
  const { href: rawHref = '', target: _target, rel: _rel, ...rest } = attribs;
  const out: Attributes = { ...rest, rel: 'noopener noreferrer', target: '_blank' };
  const href = rawHref.trim();
  if (SAFE_HREF.test(href)) out.href = href;
  else if (href.startsWith('//')) out.href = `https:${href}`;
  return { tagName, attribs: out };
}

function transformAny(tagName: string, attribs: Attributes): Tag {
  if (attribs.style === undefined) return { tagName, attribs };
  const style = sanitizeInlineStyle(attribs.style);
  const out: Attributes = { ...attribs };
  if (style === '') delete out.style;
  else out.style = style;
  return { tagName, attribs: out };
}

// allowedEmptyAttributes exists in sanitize-html 2.x but is missing from its types.
const OPTIONS: IOptions & { allowedEmptyAttributes: string[] } = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, ...EXTRA_TAGS],
  nonTextTags: NON_TEXT_TAGS,
  disallowedTagsMode: 'discard',
  allowedAttributes: {
    '*': LAYOUT_ATTRIBUTES,
    a: ['href', 'target', 'rel'],
    img: ['src', 'alt', 'data-remote-src'],
    font: ['color', 'face', 'size'],
    ol: ['start', 'type', 'reversed'],
    ul: ['type'],
    li: ['value'],
  },
  allowedEmptyAttributes: ['alt', 'src'],
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  // Our own filter runs in transformTags; postcss parsing per attribute would be slow.
  parseStyleAttributes: false,
  transformTags: { img: transformImage, a: transformLink, '*': transformAny },
};

/** Sanitizes untrusted email HTML for display; see the decisions above. Never throws on bad markup. */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).replace(/\0/g, '');
}

/** Number of blocked remote images in HTML produced by sanitizeEmailHtml. */
export function countRemoteImages(sanitizedHtml: string): number {
  return sanitizedHtml.match(/<img\b[^>]*\sdata-remote-src="/gi)?.length ?? 0;
}

/** Whether HTML produced by sanitizeEmailHtml has remote images the reader may choose to load. */
export function hasRemoteContent(sanitizedHtml: string): boolean {
  return countRemoteImages(sanitizedHtml) > 0;
}
