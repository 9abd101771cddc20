// Drafts as other mail apps save them (shaped after Thunderbird's), and a way
// to read back what the server holds: the tests of drafts opened and edited in
// Tandem compare the two.
import type { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';

/** A 48×24 red PNG: big enough to see in a screenshot. */
export const CHART_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAYCAIAAAAzn+mLAAAALElEQVR42u3OAQkAAAgDsMd5/xTGsobgYAGWaU+JkJCQkJCQkJCQkJDQr9AC46DsPWuXPdQAAAAASUVORK5CYII=',
  'base64',
);
export const CHART_CID = 'part1.chart.4f2a@example.test';

function head(from: string, subject: string, contentType: string[]): string[] {
  return [
    `From: Alice <${from}>`,
    'To: Carol <carol@example.test>',
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}.draft@example.test>`,
    'X-Mozilla-Draft-Info: internal/draft; vcard=0; receipt=0; DSN=0; uuencode=0; attachmentreminder=0; deliveryformat=1',
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0',
    'MIME-Version: 1.0',
    ...contentType,
  ];
}

/** What the plain-text draft says. */
export const PLAIN_TEXT = 'Hi Carol,\n\nLine A: prices\nLine B: dates\n\nThanks,\nAlice';

/** A multi-line text/plain draft (no format=flowed). */
export function plainDraft(from: string, subject: string): string {
  return [
    ...head(from, subject, ['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 7bit']),
    '',
    ...PLAIN_TEXT.split('\n'),
    '',
  ].join('\r\n');
}

/** What the format=flowed draft says once its soft breaks are joined (RFC 3676 §4.2). */
export const FLOWED_TEXT =
  'Hi Carol,\n\nThis paragraph was wrapped by the mail app at a short width, so its soft line breaks end with a space and are joined again.\nThis line ends with a hard break.\n\nThanks,\nAlice';

/** A text/plain; format=flowed draft: soft breaks (a space before the line end) and hard ones. */
export function flowedDraft(from: string, subject: string): string {
  const body = [
    'Hi Carol,',
    '',
    'This paragraph was wrapped by the mail app at a short ',
    'width, so its soft line breaks end with a space and ',
    'are joined again.',
    'This line ends with a hard break.',
    '',
    'Thanks,',
    'Alice',
  ];
  return [
    ...head(from, subject, [
      'Content-Type: text/plain; charset=UTF-8; format=flowed',
      'Content-Transfer-Encoding: 7bit',
    ]),
    '',
    ...body,
    '',
  ].join('\r\n');
}

/** An HTML draft with an inline image: multipart/related, the image referenced by cid: (RFC 2392). */
export function inlineImageDraft(from: string, subject: string): string {
  const boundary = '------------Rel0aB9cD8eF7';
  return [
    ...head(from, subject, [`Content-Type: multipart/related; boundary="${boundary}"`]),
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    '<html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8"></head>',
    `<body><p>Here is the chart:</p><p><img moz-do-not-send="false" src="cid:${CHART_CID}" alt="chart" width="48" height="24"></p><p>Alice</p></body></html>`,
    `--${boundary}`,
    'Content-Type: image/png; name="chart.png"',
    'Content-Disposition: inline; filename="chart.png"',
    `Content-Id: <${CHART_CID}>`,
    'Content-Transfer-Encoding: base64',
    '',
    CHART_PNG.toString('base64'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

export interface ServerDraft {
  uid: number;
  subject: string;
  to: string[];
  /** The decoded text part (format=flowed joined), line ends as LF, without the final line end. */
  text: string;
  html: string | null;
  /** Top-level Content-Type, e.g. "text/plain" or "multipart/related". */
  contentType: string;
  /** Parts with a Content-ID: what the HTML shows inline. */
  inline: { contentId: string; contentType: string; content: Buffer }[];
  source: string;
}

/** Every message in a server folder, decoded, as another mail app reads it. */
export async function draftsOnServer(client: ImapFlow, folder: string): Promise<ServerDraft[]> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.noop(); // the folder may be selected already: hear what changed since
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    const found: ServerDraft[] = [];
    for await (const m of client.fetch('1:*', { uid: true, source: true, flags: true })) {
      if (m.flags?.has('\\Deleted') || !m.source) continue;
      const parsed = await simpleParser(m.source, { keepCidLinks: true, skipTextToHtml: true });
      found.push({
        uid: m.uid,
        subject: parsed.subject ?? '',
        to: (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) =>
          a.value.map((v) => v.address ?? ''),
        ),
        text: (parsed.text ?? '').replace(/\r\n/g, '\n').replace(/\n$/, ''),
        html: typeof parsed.html === 'string' ? parsed.html : null,
        contentType:
          parsed.headers.get('content-type') && typeof parsed.headers.get('content-type') === 'object'
            ? String((parsed.headers.get('content-type') as { value: string }).value)
            : 'text/plain',
        inline: parsed.attachments
          .filter((a) => a.contentId)
          .map((a) => ({
            contentId: (a.contentId ?? '').replace(/[<>]/g, ''),
            contentType: a.contentType,
            content: a.content,
          })),
        source: m.source.toString('utf8'),
      });
    }
    return found;
  } finally {
    lock.release();
  }
}
