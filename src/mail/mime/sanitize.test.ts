import { describe, expect, it } from 'vitest';
import { countRemoteImages, hasRemoteContent, sanitizeEmailHtml } from './sanitize.ts';
import { sanitizeInlineStyle } from './style.ts';

/** Nothing executable or self-loading may survive, whatever the vector. */
function expectInert(html: string): void {
  expect(html).not.toMatch(/<script|<iframe|<object|<embed|<svg|<form|<meta|<base|<link|<style/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/javascript:|vbscript:|url\(|expression\(/i);
}

describe('sanitizeEmailHtml: XSS vectors', () => {
  const vectors: [string, string][] = [
    ['script', '<p>hi</p><script>alert(1)</script>'],
    ['img onerror', '<img src="x" onerror="alert(1)">'],
    ['javascript link', '<a href="javascript:alert(1)">x</a>'],
    ['uppercase javascript', '<a href="JaVaScRiPt:alert(1)">x</a>'],
    ['entity-obfuscated', '<a href="jav&#x61;script:alert(1)">x</a>'],
    ['decimal entities', '<a href="&#106;&#97;vascript:alert(1)">x</a>'],
    ['tab inside scheme', '<a href="java\tscript:alert(1)">x</a>'],
    ['vbscript', '<a href="vbscript:msgbox(1)">x</a>'],
    ['data html link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
    ['svg onload', '<svg onload="alert(1)"><circle r="1"/></svg>'],
    ['iframe', '<iframe src="https://evil.example"></iframe>'],
    ['object/embed', '<object data="x.swf"></object><embed src="x.swf">'],
    ['style @import', '<style>@import url(https://evil.example/x.css);</style><p>t</p>'],
    ['css url()', '<div style="background:url(https://evil.example/t.gif);color:red">t</div>'],
    ['css expression', '<div style="width: expression(alert(1))">t</div>'],
    ['css escaped url', '<div style="background: u\\72l(https://evil.example/t.gif)">t</div>'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example">'],
    ['base', '<base href="https://evil.example/"><a href="x">x</a>'],
    ['form', '<form action="https://evil.example"><input name="p"><button>go</button></form>'],
    ['nested script trick', '<scr<script>ipt>alert(1)</scr</script>ipt>'],
    ['math/xlink', '<math><a xlink:href="javascript:alert(1)">x</a></math>'],
    ['unclosed attribute', '<a href="javascript:alert(1)'],
  ];
  it.each(vectors)('%s', (_name, input) => {
    expectInert(sanitizeEmailHtml(input));
  });

  it('drops script and style content, keeps the text around them', () => {
    const out = sanitizeEmailHtml('<style>p{color:red}</style><p>hi</p><script>alert(1)</script>');
    expect(out).toBe('<p>hi</p>');
  });

  it('drops head and title text', () => {
    const out = sanitizeEmailHtml('<html><head><title>T</title></head><body><p>b</p></body></html>');
    expect(out).toBe('<p>b</p>');
  });
});

describe('sanitizeEmailHtml: images', () => {
  it('blocks remote images but keeps alt, width and height', () => {
    const out = sanitizeEmailHtml(
      '<img src="https://t.example/p.gif" alt="logo" width="10" height="20" srcset="https://t.example/2x.gif 2x">',
    );
    expect(out).toBe('<img alt="logo" width="10" height="20" data-remote-src="https://t.example/p.gif" src="" />');
    expect(countRemoteImages(out)).toBe(1);
    expect(hasRemoteContent(out)).toBe(true);
  });

  it('treats protocol-relative sources as remote https', () => {
    expect(sanitizeEmailHtml('<img src="//t.example/p.gif">')).toContain('data-remote-src="https://t.example/p.gif"');
  });

  it('keeps cid: and data:image sources, but not SVG data or relative paths', () => {
    expect(sanitizeEmailHtml('<img src="cid:logo@x">')).toBe('<img src="cid:logo@x" />');
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect(sanitizeEmailHtml(`<img src="${png}">`)).toBe(`<img src="${png}" />`);
    expect(sanitizeEmailHtml('<img src="data:image/svg+xml;base64,PHN2Zz4=">')).toBe('<img />');
    expect(sanitizeEmailHtml('<img src="/local/x.png">')).toBe('<img />');
    expect(hasRemoteContent(sanitizeEmailHtml('<img src="cid:a">'))).toBe(false);
  });

  it('ignores a data-remote-src written by the sender', () => {
    const out = sanitizeEmailHtml('<img data-remote-src="javascript:alert(1)" src="cid:a">');
    expect(out).toBe('<img src="cid:a" />');
  });

  it('removes background attributes and CSS images', () => {
    const out = sanitizeEmailHtml(
      '<table background="https://t.example/bg.png"><tr><td style="background-image: url(\'x.png\'); color: blue">x</td></tr></table>',
    );
    expect(out).toBe('<table><tr><td style="color: blue">x</td></tr></table>');
  });
});

describe('sanitizeEmailHtml: formatting and links', () => {
  it('keeps tables, layout attributes and safe inline styles', () => {
    const input =
      '<table width="600" cellpadding="0" bgcolor="#fff"><tr><td align="center" style="color: #333; font-size: 14px">Hi</td></tr></table>';
    expect(sanitizeEmailHtml(input)).toBe(input);
  });

  it('keeps font, center and headings; drops class and id', () => {
    expect(
      sanitizeEmailHtml(
        '<center><font color="red" face="Arial">x</font></center><h1 class="app-header" id="main">t</h1>',
      ),
    ).toBe('<center><font color="red" face="Arial">x</font></center><h1>t</h1>');
  });

  it('opens links in a new unprivileged tab', () => {
    expect(sanitizeEmailHtml('<a href="https://example.com/a?b=1&amp;c=2" target="_self" onclick="x()">go</a>')).toBe(
      '<a rel="noopener noreferrer" target="_blank" href="https://example.com/a?b=1&amp;c=2">go</a>',
    );
  });

  it('keeps filtered styles on images and button-like links', () => {
    expect(
      sanitizeEmailHtml(
        '<a href="https://x.example" style="display:block;background:url(t.gif);color:#fff" name="n" id="i">Buy</a>',
      ),
    ).toBe(
      '<a style="display: block; color: #fff" rel="noopener noreferrer" target="_blank" href="https://x.example">Buy</a>',
    );
    expect(sanitizeEmailHtml('<img src="cid:a" style="display:block" border="0" align="left">')).toBe(
      '<img style="display: block" border="0" align="left" src="cid:a" />',
    );
  });

  it('keeps mailto, tel and fragment links; drops relative ones', () => {
    expect(sanitizeEmailHtml('<a href="mailto:a@b.c">m</a>')).toContain('href="mailto:a@b.c"');
    expect(sanitizeEmailHtml('<a href="tel:+123">t</a>')).toContain('href="tel:+123"');
    expect(sanitizeEmailHtml('<a href="#top">t</a>')).toContain('href="#top"');
    expect(sanitizeEmailHtml('<a href="/api/admin">t</a>')).not.toContain('href');
  });

  it('removes NUL characters', () => {
    expect(sanitizeEmailHtml('<p>a\0b</p>')).toBe('<p>ab</p>');
  });
});

describe('sanitizeInlineStyle', () => {
  it('keeps plain declarations and normalizes them', () => {
    expect(sanitizeInlineStyle('COLOR:red;  font-size : 12px ;')).toBe('color: red; font-size: 12px');
  });

  it.each([
    ['background: url(x.png)'],
    ['background-image: image-set("x.png" 1x)'],
    ['list-style: URL ( x.png )'],
    ['width: expression(alert(1))'],
    ['behavior: url(x.htc)'],
    ['-moz-binding: url(x.xml#y)'],
    ['background: u\\72l(x.png)'],
    ['position: fixed'],
    ['--x: url(a)'],
    ['background: /* c */ url(x.png)'],
  ])('drops %s', (style) => {
    expect(sanitizeInlineStyle(`${style}; color: red`)).toBe('color: red');
  });
});
