import type { Security } from '../imap/index.ts';

export type ProviderAuth = 'password' | 'oauth2' | 'app-password';

export interface ServerPreset {
  host: string;
  port: number;
  security: Security;
}

/** How a provider's IMAP and SMTP differ from the standards, used by sync and sending. */
export interface ProviderBehaviour {
  /** Its SMTP files the sent copy in Sent itself: Tandem must not APPEND one. */
  filesSentCopy: boolean;
  /** Most IMAP connections it allows one user at once. */
  connectionLimit: number;
  /** QRESYNC is advertised but broken: never ENABLE it. */
  qresyncBroken: boolean;
  /** `\Deleted` + EXPUNGE in a folder only removes a label: a real delete is a move to Trash. */
  deleteMovesToTrash: boolean;
  /** SMTP may replace the Message-ID; the real one is in the 250 reply. */
  messageIdFromSmtpReply: boolean;
}

export interface OAuthPreset {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  scopes: string[];
  /** Extra authorization parameters, e.g. Google needs `access_type=offline` for a refresh token. */
  authorizationParams?: Record<string, string>;
}

export interface ProviderPreset {
  id: string;
  name: string;
  /** Address domains that are this provider's own. */
  domains: string[];
  /** MX host suffixes that show a domain is hosted by this provider (Google Workspace, Microsoft 365). */
  mxSuffixes: string[];
  auth: ProviderAuth;
  /** Where the user learns to make an app password, or to allow IMAP. */
  helpUrl?: string;
  imap: ServerPreset;
  smtp: ServerPreset;
  oauth?: OAuthPreset;
  behaviour: ProviderBehaviour;
}

const standard: ProviderBehaviour = {
  filesSentCopy: false,
  connectionLimit: 10,
  qresyncBroken: false,
  deleteMovesToTrash: false,
  messageIdFromSmtpReply: false,
};

/** The providers Tandem knows without asking the network (see docs/providers.md). */
export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  {
    id: 'google',
    name: 'Gmail / Google Workspace',
    domains: ['gmail.com', 'googlemail.com'],
    mxSuffixes: ['google.com', 'googlemail.com'],
    auth: 'oauth2',
    helpUrl: 'https://support.google.com/mail/answer/7126229',
    imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    oauth: {
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
      revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
      scopes: ['https://mail.google.com/', 'openid', 'email'],
      // A refresh token is only issued with offline access, and again only on a consent screen.
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
    },
    behaviour: { ...standard, filesSentCopy: true, connectionLimit: 15, deleteMovesToTrash: true },
  },
  {
    id: 'microsoft',
    name: 'Outlook.com / Microsoft 365',
    domains: [
      'outlook.com',
      'hotmail.com',
      'live.com',
      'msn.com',
      'outlook.de',
      'hotmail.co.uk',
      'hotmail.fr',
      'live.co.uk',
    ],
    mxSuffixes: ['mail.protection.outlook.com', 'olc.protection.outlook.com'],
    auth: 'oauth2',
    helpUrl:
      'https://support.microsoft.com/office/pop-imap-and-smtp-settings-for-outlook-com-d088b986-291d-42b8-9564-9c414e2aa040',
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
    oauth: {
      authorizationEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      // No `openid`: Microsoft's ID tokens name the user's tenant as issuer, not the `common` endpoint.
      scopes: [
        'https://outlook.office.com/IMAP.AccessAsUser.All',
        'https://outlook.office.com/SMTP.Send',
        'offline_access',
      ],
    },
    behaviour: { ...standard, filesSentCopy: true, connectionLimit: 8, messageIdFromSmtpReply: true },
  },
  {
    id: 'yahoo',
    name: 'Yahoo Mail',
    domains: ['yahoo.com', 'ymail.com', 'rocketmail.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de'],
    mxSuffixes: ['yahoodns.net'],
    auth: 'app-password',
    helpUrl: 'https://help.yahoo.com/kb/SLN15241.html',
    imap: { host: 'imap.mail.yahoo.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.mail.yahoo.com', port: 465, security: 'tls' },
    behaviour: { ...standard, connectionLimit: 5 },
  },
  {
    id: 'icloud',
    name: 'iCloud Mail',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    mxSuffixes: ['mail.icloud.com'],
    auth: 'app-password',
    helpUrl: 'https://support.apple.com/102654',
    imap: { host: 'imap.mail.me.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.mail.me.com', port: 587, security: 'starttls' },
    behaviour: { ...standard, qresyncBroken: true, connectionLimit: 10 },
  },
];

export function presetById(id: string): ProviderPreset | undefined {
  return PROVIDER_PRESETS.find((p) => p.id === id);
}

export function presetForDomain(domain: string): ProviderPreset | undefined {
  return PROVIDER_PRESETS.find((p) => p.domains.includes(domain));
}

/** The provider whose mail exchangers these are (a hosted domain), if any. */
export function presetForMx(mxHosts: string[]): ProviderPreset | undefined {
  const hosts = mxHosts.map((h) => h.toLowerCase().replace(/\.$/, ''));
  return PROVIDER_PRESETS.find((p) =>
    hosts.some((host) => p.mxSuffixes.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))),
  );
}

export const STANDARD_BEHAVIOUR = standard;

/**
 * The Message-ID a provider gave the message instead of ours, from its final
 * SMTP reply (Microsoft: `250 2.0.0 OK <id@host.prod.outlook.com> [Hostname=…]`).
 */
export function messageIdFromSmtpReply(reply: string): string | null {
  const match = /^250[ -](?:\d\.\d\.\d+ )?.*?<([^<>@\s]+@[^<>\s]+)>/m.exec(reply);
  return match?.[1] ?? null;
}
