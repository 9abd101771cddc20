export { discoverProvider } from './discover.ts';
export type { Discovery, DiscoveryOptions, DiscoverySource } from './discover.ts';
export {
  messageIdFromSmtpReply,
  PROVIDER_PRESETS,
  presetById,
  presetForDomain,
  presetForMx,
  STANDARD_BEHAVIOUR,
} from './presets.ts';
export type { OAuthPreset, ProviderAuth, ProviderBehaviour, ProviderPreset, ServerPreset } from './presets.ts';
