export { openContext } from './context.ts';
export type { OpenOptions, TandemContext } from './context.ts';
