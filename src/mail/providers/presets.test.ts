import { describe, expect, it } from 'vitest';
import { messageIdFromSmtpReply, presetForMx } from './presets.ts';

describe('messageIdFromSmtpReply', () => {
  it('reads the Message-ID Microsoft gave the message from its 250 reply', () => {
    expect(
      messageIdFromSmtpReply(
        '250 2.0.0 OK <DM6PR11MB1234.namprd11.prod.outlook.com@DM6PR11MB1234.namprd11.prod.outlook.com> [Hostname=DM6PR11MB1234.namprd11.prod.outlook.com]',
      ),
    ).toBe('DM6PR11MB1234.namprd11.prod.outlook.com@DM6PR11MB1234.namprd11.prod.outlook.com');
  });

  it('finds none in an ordinary reply', () => {
    expect(messageIdFromSmtpReply('250 2.0.0 Ok: queued as 4B7C21234')).toBeNull();
    expect(messageIdFromSmtpReply('550 5.7.1 <x@y> refused')).toBeNull();
  });
});

describe('presetForMx', () => {
  it('matches whole host-name labels only', () => {
    expect(presetForMx(['ASPMX.L.GOOGLE.COM.'])?.id).toBe('google');
    expect(presetForMx(['mx.notgoogle.com'])).toBeUndefined();
    expect(presetForMx(['contoso-com.mail.protection.outlook.com'])?.id).toBe('microsoft');
  });
});
