export const serverBundle: string;
export function ensureServerBundle(): Promise<string>;
export function buildServerBundle(): Promise<void>;
