import { describe, expect, it } from 'vitest';
import { withoutBcc } from './without-bcc.ts';

describe('withoutBcc', () => {
  it('cuts Bcc and Resent-Bcc fields, folded lines included, and keeps every other byte', () => {
    const raw = Buffer.from(
      [
        'From: Ann <ann@example.test>',
        'To: Bob <bob@example.test>',
        'BCC: Boss <boss@example.test>,',
        '\tAudit <audit@example.test>',
        'Subject: Terms',
        'Resent-Bcc : archive@example.test',
        'X-Note: Bcc: not a field',
        '',
        'Bcc: this line is body text',
        '',
      ].join('\r\n'),
    );
    expect(withoutBcc(raw).toString()).toBe(
      [
        'From: Ann <ann@example.test>',
        'To: Bob <bob@example.test>',
        'Subject: Terms',
        'X-Note: Bcc: not a field',
        '',
        'Bcc: this line is body text',
        '',
      ].join('\r\n'),
    );
  });

  it('returns the same bytes when there is no Bcc, also for bare LF and a message without body', () => {
    const plain = Buffer.from('From: a@example.test\nSubject: Hi\n\nBcc: body\n');
    expect(withoutBcc(plain)).toBe(plain);
    expect(withoutBcc(Buffer.from('Subject: Hi\nBcc: x@example.test')).toString()).toBe('Subject: Hi');
    const latin = Buffer.concat([
      Buffer.from('Subject: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nBcc: x@example.test\n\nbody'),
    ]);
    expect(withoutBcc(latin)).toEqual(
      Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from('\n\nbody')]),
    );
  });
});
