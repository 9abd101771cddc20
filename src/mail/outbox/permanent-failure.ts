/** An op that cannot succeed (the folder was reset or removed): it ends as failed at once. */
export class PermanentOpFailure extends Error {
  override readonly name = 'PermanentOpFailure';
}
