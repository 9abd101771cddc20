/** Who is asking: a signed-in user. */
export interface Viewer {
  id: string;
  isAdmin: boolean;
}
