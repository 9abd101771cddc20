// Inline `style` attributes are kept for layout, but CSS must not fetch
// anything (tracking pixels via background-image) nor run anything (old IE
// expression(), behavior, -moz-binding), nor overlay the app (position).

/** Any CSS function that can load a resource or run code, and legacy script hooks. */
const DANGEROUS_VALUE =
  /(?:url|image|image-set|element|cross-fade|expression|paint|src)\s*\(|@import|javascript:|vbscript:|behavior|binding/i;
/** Properties dropped whatever their value. `position` could lay a fake UI over the app. */
const BLOCKED_PROPERTIES = new Set(['position', 'behavior', '-moz-binding', 'content']);
/** Plain property names only; custom properties (`--x`) are dropped with everything else. */
const PROPERTY = /^-?[a-z][a-z0-9-]*$/;

/**
 * Returns the style with only safe declarations, re-serialized as
 * `prop: value; …` ('' when nothing is left). Declarations containing a CSS
 * escape (`\`) are dropped whole: escapes are how filters get bypassed
 * (`u\72l(`). Splitting on `;` inside a quoted string may break that one
 * declaration, which only loses formatting, never safety: every piece is checked.
 */
export function sanitizeInlineStyle(style: string): string {
  const kept: string[] = [];
  const withoutComments = style.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ');
  for (const declaration of withoutComments.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon <= 0) continue;
    const property = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration
      .slice(colon + 1)
      .replace(/\s+/g, ' ')
      .trim();
    if (!PROPERTY.test(property) || value === '' || BLOCKED_PROPERTIES.has(property)) continue;
    // eslint-disable-next-line no-control-regex
    if (/[\\\u0000-\u001f\u007f]/.test(value) || DANGEROUS_VALUE.test(value)) continue;
    kept.push(`${property}: ${value}`);
  }
  return kept.join('; ');
}
