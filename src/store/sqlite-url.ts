/** The file of a `sqlite:` database URL: `sqlite:./data/vpcep.db`, `sqlite:///abs.db` and `sqlite::memory:` alike. */
export function sqliteFile(url: string): string {
  const rest = url.slice('sqlite:'.length)
  return rest.startsWith('//') ? rest.slice(2) : rest
}
