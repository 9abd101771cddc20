import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classify } from './classify.ts';
import type { TrackingRequest } from './classify.ts';
import { ipPrefix } from './ip.ts';
import { markHtml, trackableLinks } from './marks.ts';
import { signToken, verifyToken } from './tokens.ts';

describe('tracking tokens', () => {
  const key = randomBytes(32);
  const fields = { kind: 'click' as const, sendId: randomUUID(), recipientIndex: 2, linkIndex: 7 };

  it('give back what they name, and are compact and URL-safe', () => {
    const token = signToken(key, fields);
    expect(token).toMatch(/^[A-Za-z0-9_-]{50}$/);
    expect(verifyToken(key, token, 'click')).toEqual(fields);
  });

  it('refuse any altered character, another key, and the other kind', () => {
    const token = signToken(key, fields);
    for (let i = 0; i < token.length; i++) {
      const altered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(verifyToken(key, altered, 'click'), `changed at ${i}`).toBeNull();
    }
    expect(verifyToken(randomBytes(32), token, 'click')).toBeNull();
    expect(verifyToken(key, token, 'open')).toBeNull();
    expect(verifyToken(key, `${token}A`, 'click')).toBeNull();
  });
});

describe('marks', () => {
  const html =
    '<html><body><p><a href="https://example.com/a?x=1&amp;y=2">A</a> <a href=\'mailto:x@y.z\'>mail</a> ' +
    '<a class="b" href=http://example.org/b>B</a> <a href="#top">top</a></p></body></html>';

  it('redirect only http(s) links, in order, and add the pixel before </body>', () => {
    expect(trackableLinks(html)).toEqual(['https://example.com/a?x=1&y=2', 'http://example.org/b']);
    const marked = markHtml(html, { pixel: 'https://t.test/o.gif', click: (i) => `https://t.test/c/${i}` });
    expect(marked).toContain('<a href="https://t.test/c/0">A</a>');
    expect(marked).toContain('<a class="b" href="https://t.test/c/1">B</a>');
    expect(marked).toContain("href='mailto:x@y.z'");
    expect(marked).toContain('href="#top"');
    expect(marked).toMatch(/<img src="https:\/\/t\.test\/o\.gif"[^>]*><\/body><\/html>$/);
  });
});

describe('classification', () => {
  const base: TrackingRequest = {
    kind: 'open',
    method: 'GET',
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0',
    bySender: false,
    sinceSentMs: 3600_000,
    otherLinksJustClicked: 0,
  };

  it('tells people from proxies, scanners and the sender', () => {
    expect(classify(base).classification).toBe('human');
    expect(classify({ ...base, userAgent: 'Mozilla/5.0 (via ggpht.com GoogleImageProxy)' }).classification).toBe(
      'privacy_proxy',
    );
    expect(classify({ ...base, ip: '17.58.10.3' }).classification).toBe('privacy_proxy');
    expect(classify({ ...base, ip: '::ffff:17.58.10.3' }).classification).toBe('privacy_proxy');
    expect(classify({ ...base, ip: '40.107.1.2', kind: 'click' }).classification).toBe('scanner');
    expect(classify({ ...base, method: 'HEAD', kind: 'click' }).classification).toBe('scanner');
    expect(classify({ ...base, kind: 'click', sinceSentMs: 1000 }).classification).toBe('scanner');
    expect(classify({ ...base, kind: 'click', otherLinksJustClicked: 2 }).classification).toBe('scanner');
    expect(classify({ ...base, kind: 'click', otherLinksJustClicked: 1 }).classification).toBe('human');
    expect(classify({ ...base, bySender: true, ip: '17.1.1.1' }).classification).toBe('sender');
  });
});

describe('stored addresses', () => {
  it('keep the /24 or /48 network only', () => {
    expect(ipPrefix('198.51.100.77')).toBe('198.51.100.0/24');
    expect(ipPrefix('::ffff:198.51.100.77')).toBe('198.51.100.0/24');
    expect(ipPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(ipPrefix('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(ipPrefix('not an address')).toBeNull();
  });
});
