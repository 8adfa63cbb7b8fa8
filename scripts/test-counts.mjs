// Counts what the suite really ran, per database and in the browser, and names what is missing. Storage and API
// suites carry their database in their name (`… [sqlite]`, `… [postgres]`, see dialects() in
// test/helpers/server.ts), suites that exist for one database only say so (`… [postgres only]`), and browser
// suites say "in Chromium".

export const DATABASES = ['sqlite', 'postgres']
const BROWSER = /\bin Chromium\b/

function emptyCount() {
  return { run: 0, passed: 0, failed: 0, skipped: 0, todo: 0 }
}

function add(count, outcome) {
  count[outcome] += 1
  if (outcome === 'passed' || outcome === 'failed') count.run += 1
}

function labelOf(path) {
  for (const name of path) {
    for (const database of DATABASES) {
      if (name.includes(`[${database}]`)) return { database, only: false }
      if (name.includes(`[${database} only]`)) return { database, only: true }
    }
  }
  return undefined
}

/** The same for a test and its counterpart on the other database: its file and names, database label blanked. */
function counterpartKey(result) {
  return JSON.stringify([result.file, ...result.path.map((name) => name.replace(/\[(sqlite|postgres)\]/, '[…]'))])
}

/**
 * `results` as the test-counts reporter writes them. Answers the counts per database, for tests that use no
 * database label, and for the browser, and every test declared on one database but not on the other.
 */
export function countTests(results) {
  const counts = { total: emptyCount(), other: emptyCount(), chromium: emptyCount() }
  for (const database of DATABASES) counts[database] = emptyCount()
  const keys = Object.fromEntries(DATABASES.map((database) => [database, new Set()]))
  for (const result of results) {
    const label = labelOf(result.path)
    add(counts.total, result.outcome)
    add(counts[label?.database ?? 'other'], result.outcome)
    if (result.path.some((name) => BROWSER.test(name))) add(counts.chromium, result.outcome)
    if (label && !label.only) keys[label.database].add(counterpartKey(result))
  }
  const unmatched = []
  for (const database of DATABASES) {
    for (const other of DATABASES) {
      if (other === database) continue
      for (const key of keys[database]) {
        if (!keys[other].has(key)) unmatched.push({ database, missingOn: other, test: JSON.parse(key).slice(1).join(' > ') })
      }
    }
  }
  return { counts, unmatched }
}

/**
 * Why a CI run must fail although every test that ran passed: a test declared on one database was never
 * declared on the other, or, for the whole suite (`wholeSuite`), a database or the browser ran nothing.
 * Empty when the run is complete.
 */
export function incompleteRunReasons({ counts, unmatched }, wholeSuite) {
  const reasons = []
  if (wholeSuite) {
    for (const database of DATABASES) {
      if (counts[database].run === 0) reasons.push(`no ${database} test ran`)
    }
    if (counts.chromium.run === 0) reasons.push('no Chromium test ran')
  }
  for (const { database, missingOn, test } of unmatched) reasons.push(`"${test}" ran on ${database} but is missing on ${missingOn}`)
  return reasons
}

export function formatCounts({ counts }) {
  const rows = [['sqlite', 'SQLite'], ['postgres', 'PostgreSQL'], ['other', 'no database'], ['chromium', 'Chromium (of the above)'], ['total', 'total']]
  const width = Math.max(...rows.map(([, label]) => label.length))
  return rows
    .map(([key, label]) => {
      const c = counts[key]
      return `${label.padEnd(width)}  run ${String(c.run).padStart(4)}  passed ${String(c.passed).padStart(4)}  failed ${String(c.failed).padStart(3)}  skipped ${String(c.skipped).padStart(3)}  todo ${c.todo}`
    })
    .join('\n')
}
