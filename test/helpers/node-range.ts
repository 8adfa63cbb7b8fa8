/*
 * The part of semver's range grammar that engines.node fields use (||, hyphen ranges, ^, ~, comparators,
 * partial and x versions), evaluated for release versions of Node, as npm does for EBADENGINE. Kept here
 * rather than importing `semver`, which the project gets only as a dependency of a dependency.
 */

export type Version = [number, number, number]
type Comparator = { op: '<' | '<=' | '>' | '>=' | '='; version: Version }

export function versionOf(text: string): Version {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim())
  if (!match) throw new Error(`not a version: ${text}`)
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)]
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/** A partial version: its numbers, and how many of the three were given (x, X and * count as absent). */
function partial(text: string): { parts: number[]; given: number } {
  const parts: number[] = []
  for (const part of text.replace(/^[v=]+/, '').split('.')) {
    if (part === '' || /^[xX*]$/.test(part)) break
    const n = /^\d+/.exec(part)
    if (!n) break
    parts.push(Number(n[0]))
  }
  return { parts, given: parts.length }
}

const filled = (parts: number[]): Version => [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0]

/** The version just above every version that `parts` stands for: 20 → 21.0.0, 20.9 → 20.10.0. */
function nextAfter(parts: number[]): Version {
  if (parts.length === 1) return [parts[0]! + 1, 0, 0]
  return [parts[0]!, parts[1]! + 1, 0]
}

function comparatorsOf(op: string, text: string): Comparator[] {
  const { parts, given } = partial(text)
  if (given === 0) return op === '<' || op === '>' ? [{ op: '<', version: [0, 0, 0] }] : []
  const low = filled(parts)
  switch (op) {
    case '^': {
      const upper: Version = parts[0]! > 0 || given === 1 ? [parts[0]! + 1, 0, 0] : parts[1]! > 0 || given === 2 ? [0, parts[1]! + 1, 0] : [0, 0, parts[2]! + 1]
      return [{ op: '>=', version: low }, { op: '<', version: upper }]
    }
    case '~':
    case '~>':
      return [{ op: '>=', version: low }, { op: '<', version: given === 1 ? [parts[0]! + 1, 0, 0] : [parts[0]!, parts[1]! + 1, 0] }]
    case '>':
      return [given === 3 ? { op: '>', version: low } : { op: '>=', version: nextAfter(parts) }]
    case '>=':
      return [{ op: '>=', version: low }]
    case '<':
      return [{ op: '<', version: low }]
    case '<=':
      return [given === 3 ? { op: '<=', version: low } : { op: '<', version: nextAfter(parts) }]
    default:
      return given === 3 ? [{ op: '=', version: low }] : [{ op: '>=', version: low }, { op: '<', version: nextAfter(parts) }]
  }
}

function setOf(text: string): Comparator[] {
  const hyphen = /^\s*(\S+)\s+-\s+(\S+)\s*$/.exec(text)
  if (hyphen) {
    const high = partial(hyphen[2]!)
    const upper: Comparator[] = high.given === 0 ? [] : high.given === 3 ? [{ op: '<=', version: filled(high.parts) }] : [{ op: '<', version: nextAfter(high.parts) }]
    return [...comparatorsOf('>=', hyphen[1]!), ...upper]
  }
  // ">= 14.17" is one comparator: join operators to the version that follows them.
  const tokens = text.trim().replace(/(<=|>=|~>|[<>=^~])\s+/g, '$1').split(/\s+/).filter(Boolean)
  return tokens.flatMap((token) => {
    const [, op = '', rest = ''] = /^(<=|>=|~>|<|>|=|\^|~)?(.*)$/.exec(token)!
    return comparatorsOf(op, rest)
  })
}

function satisfies(version: Version, comparator: Comparator): boolean {
  const c = compare(version, comparator.version)
  return { '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0, '=': c === 0 }[comparator.op]
}

/** Whether Node `version` (e.g. "20.0.0") is inside `range` (an engines.node value). */
export function nodeRangeAllows(range: string, version: string | Version): boolean {
  const v = typeof version === 'string' ? versionOf(version) : version
  return range.split('||').some((alternative) => setOf(alternative).every((comparator) => satisfies(v, comparator)))
}
