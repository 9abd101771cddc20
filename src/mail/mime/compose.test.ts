import { describe, expect, it } from 'vitest';
import { composeMessage } from './compose.ts';
import type { ComposeInput } from './compose.ts';
import { parseMessage } from './parse.ts';

const ID = '6f1c2a4e-0000-4000-8000-000000000001';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

function input(extra: Partial<ComposeInput> = {}): ComposeInput {
  return {
    id: ID,
    from: { address: 'ann@example.com', name: 'Ann Smith' },
    to: ['bob@example.org'],
    subject: 'Quarterly numbers — draft',
    text: 'Hi Bob,\nsee attached.',
    date: new Date('2025-07-01T08:00:00Z'),
    ...extra,
  };
}

/** The header block of a raw message. */
function headerBlock(raw: Buffer): string {
  const text = raw.toString('utf8');
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

describe('composeMessage', () => {
  it('writes From, To, Subject, text, a Message-ID on the sender’s domain and the X-Tandem-Id', async () => {
    const out = await composeMessage(input());
    expect(out.messageId).toBe(`${ID}@example.com`);
    const m = await parseMessage(out.raw);
    expect(m.from).toEqual({ name: 'Ann Smith', address: 'ann@example.com' });
    expect(m.to).toEqual([{ name: '', address: 'bob@example.org' }]);
    expect(m.subject).toBe('Quarterly numbers — draft');
    expect(m.text).toBe('Hi Bob,\nsee attached.');
    expect(m.messageId).toBe(`${ID}@example.com`);
    expect(m.date?.toISOString()).toBe('2025-07-01T08:00:00.000Z');
    expect(m.inReplyTo).toBeNull();
    expect(m.problems).toEqual([]);
    expect(headerBlock(out.raw)).toMatch(new RegExp(`^X-Tandem-Id: ${ID}$`, 'im'));
    expect(out.envelope).toEqual({ from: 'ann@example.com', to: ['bob@example.org'] });
    expect(out.sentCopy).toBe(out.raw);
  });

  it('keeps Bcc out of what is sent, in the envelope, and in the Sent copy', async () => {
    const out = await composeMessage(input({ cc: ['carol@example.org'], bcc: ['dave@example.net'] }));
    expect(headerBlock(out.raw)).not.toMatch(/^Bcc:/im);
    expect(out.envelope.to).toEqual(['bob@example.org', 'carol@example.org', 'dave@example.net']);
    const sent = await parseMessage(out.sentCopy);
    expect(sent.bcc).toEqual([{ name: '', address: 'dave@example.net' }]);
    expect(sent.cc).toEqual([{ name: '', address: 'carol@example.org' }]);
    // The same message otherwise: one tree built twice.
    const withoutBcc = out.sentCopy.toString('utf8').replace(/^Bcc: .*\r\n/m, '');
    expect(withoutBcc).toBe(out.raw.toString('utf8'));
  });

  it('sets In-Reply-To and References for a reply', async () => {
    const out = await composeMessage(
      input({
        subject: 'Re: plan',
        replyTo: { messageId: 'parent@example.org', references: ['root@example.org', 'mid@example.org'] },
      }),
    );
    const m = await parseMessage(out.raw);
    expect(m.inReplyTo).toBe('parent@example.org');
    expect(m.references).toEqual(['root@example.org', 'mid@example.org', 'parent@example.org']);
  });

  it('attaches files, and inline images by Content-ID beside the HTML', async () => {
    const out = await composeMessage(
      input({
        text: undefined,
        html: '<p>Logo: <img src="cid:logo@tandem"></p>',
        attachments: [
          {
            filename: 'report.pdf',
            contentType: 'application/pdf',
            contentBase64: Buffer.from('%PDF-1.4 fake').toString('base64'),
          },
          {
            filename: 'logo.png',
            contentType: 'image/png',
            contentBase64: PNG.toString('base64'),
            contentId: '<logo@tandem>',
          },
        ],
      }),
    );
    const m = await parseMessage(out.raw);
    expect(m.html).toContain('Logo:');
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.size, a.inline, a.contentId]).sort()).toEqual([
      ['logo.png', 'image/png', PNG.length, true, 'logo@tandem'],
      ['report.pdf', 'application/pdf', 13, false, null],
    ]);
    expect(m.attachments.find((a) => a.inline)?.content.equals(PNG)).toBe(true);
  });

  it('never reads a file or URL named by the content', async () => {
    const out = await composeMessage(input({ html: '<img src="file:///etc/passwd">' }));
    expect(out.raw.toString('utf8')).not.toContain('root:');
  });
});
