import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readDeliveryReport } from './delivery-report.ts';

// Bounces as mail systems write them: the shared corpus's real reports (read in
// place), and the non-standard X-Failed-Recipients kind.
const CORPUS = process.env.TANDEM_CORPUS_DIR ?? fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
const corpus = (file: string) => readFileSync(join(CORPUS, file));

describe.skipIf(!existsSync(CORPUS))('delivery reports from the corpus', () => {
  it('reads every failed recipient of a Postfix report with its status and diagnostic', async () => {
    const report = await readDeliveryReport(
      corpus('ruby-mail/emails__multipart_report_emails__multi_address_bounce1.eml'),
    );
    expect(report?.failed.map((f) => f.address)).toContain('bbbbvhvbbvkjbhfbvbvjhb@gmail.com');
    const first = report?.failed[0];
    expect(first?.status).toBe('5.1.1');
    expect(first?.reason).toMatch(/^550-5\.1\.1 The email account that you tried to reach does not exist/);
    expect(report?.originalMessageId).toMatch(/@/);
  });

  it('reads the other suites’ reports: several recipients, RFC822 in capitals, a headers-only original', async () => {
    const read = async (file: string) => (await readDeliveryReport(corpus(file)))?.failed.map((f) => f.address);
    expect(await read('python-email/msg_43.eml')).toContain('xxxxxxx@dot.ca.gov');
    expect((await read('python-email/msg_43.eml'))?.length).toBeGreaterThan(2);
    expect(await read('nodemailer-mailparser/delivery-status.eml')).toEqual(['xxxx@xxxx.com']);
    expect(await read('ruby-mail/emails__multipart_report_emails__report_530.eml')).toEqual(['edwin@zzzzzzz.com']);
  });

  it('is no bounce for an ordinary message', async () => {
    expect(await readDeliveryReport(Buffer.from('From: a@example.test\r\nSubject: hi\r\n\r\nHello\r\n'))).toBeNull();
  });
});

describe('non-standard bounces', () => {
  it('takes X-Failed-Recipients and the first line with a 5xx code as the reason', async () => {
    const raw = [
      'From: Mail Delivery System <Mailer-Daemon@mx.example.org>',
      'To: alice@example.test',
      'Subject: Mail delivery failed: returning message to sender',
      'X-Failed-Recipients: gone@example.org',
      'Auto-Submitted: auto-replied',
      '',
      'This message was created automatically by mail delivery software.',
      '',
      '  gone@example.org',
      '    SMTP error from remote mail server after RCPT TO:<gone@example.org>:',
      '    550 5.1.1 No such user here',
      '',
      '------ This is a copy of the message, including all the headers. ------',
      'Message-ID: <original-1@example.test>',
      '',
    ].join('\r\n');
    const report = await readDeliveryReport(Buffer.from(raw));
    expect(report?.failed).toEqual([
      { address: 'gone@example.org', status: '5.1.1', reason: '550 5.1.1 No such user here' },
    ]);
  });

  it('ignores a report whose recipients were only delayed', async () => {
    const raw = [
      'From: MAILER-DAEMON@mx.example.org',
      'To: alice@example.test',
      'Subject: Delayed Mail (still being retried)',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Still trying.',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; slow@example.org',
      'Action: delayed',
      'Status: 4.4.1',
      '',
      '--b--',
      '',
    ].join('\r\n');
    expect(await readDeliveryReport(Buffer.from(raw))).toBeNull();
  });
});
