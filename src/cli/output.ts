/** What the commands print: aligned tables and fields for people, the API's JSON for scripts. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function println(line = ''): void {
  process.stdout.write(`${line}\n`)
}

/** Notes for people (progress, hints, paging) go to stderr, so stdout stays the result. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`)
}

function colourOn(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb'
}

const STATUS_COLOURS: Record<string, number> = {
  available: 32,
  accepted: 32,
  ok: 32,
  creating: 33,
  deleting: 33,
  pendingAcceptance: 33,
  rejected: 31,
  failed: 31,
}

/** A status word, coloured on a terminal (green settled, yellow in progress, red refused or failed). */
export function statusWord(status: string, stream: NodeJS.WriteStream = process.stdout): string {
  const colour = STATUS_COLOURS[status]
  return colour !== undefined && colourOn(stream) ? `\x1b[${colour}m${status}\x1b[0m` : status
}

export interface Column<T> {
  header: string
  value: (row: T) => string
  /** Coloured as a status word after padding (colour codes do not count in the width). */
  status?: boolean
}

/** Columns aligned on the widest cell, two spaces apart, upper-case headers; "(none)" when there are no rows. */
export function printTable<T>(rows: T[], columns: Array<Column<T>>, empty = '(none)'): void {
  if (rows.length === 0) {
    println(empty)
    return
  }
  const cells = rows.map((row) => columns.map((c) => oneLine(c.value(row))))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: string[], colour: boolean) =>
    values
      .map((v, i) => {
        const padded = i === values.length - 1 ? v : v.padEnd(widths[i]!)
        return colour && columns[i]!.status ? padded.replace(v, statusWord(v)) : padded
      })
      .join('  ')
      .trimEnd()
  println(line(columns.map((c) => c.header), false))
  for (const row of cells) println(line(row, true))
}

/** `name  value` lines, names aligned; array values one per line under the first. */
export function printFields(fields: Array<[string, string | string[]]>, statusField = 'status'): void {
  const width = Math.max(...fields.map(([name]) => name.length))
  for (const [name, value] of fields) {
    const values = Array.isArray(value) ? (value.length ? value : ['-']) : [value === '' ? '-' : value]
    values.forEach((v, i) => {
      const shown = name === statusField ? statusWord(v) : oneLine(v)
      println(`${(i === 0 ? name : '').padEnd(width)}  ${shown}`)
    })
  }
}

function oneLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ')
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no'
}

export function tagText(tags: Array<{ key: string; value: string }>): string[] {
  return tags.map((t) => (t.value === '' ? t.key : `${t.key}=${t.value}`))
}

/** A page footer on stderr when the list was cut: people see it, scripts reading stdout do not. */
export function pageNote(shown: number, total: number, offset: number): void {
  if (shown < total) note(`(${shown} of ${total} shown, from offset ${offset}; use --limit and --offset for more)`)
}
