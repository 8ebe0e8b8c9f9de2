/** What the health route answers. */
export function health() {
  return "ok\n";
}
