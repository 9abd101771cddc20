export { OutboundPolicy, TargetRefused, validAllowedEntry } from './policy.ts';
export type { OutboundTarget, ResolveAll } from './policy.ts';
