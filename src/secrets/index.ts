export { SecretBox, loadSecretKey } from './secret-box.ts';
