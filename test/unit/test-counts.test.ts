import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { countTests, incompleteRunReasons, type TestResult } from '../../scripts/test-counts.mjs'

const passed = (file: string, ...path: string[]): TestResult => ({ file, path, outcome: 'passed' })
const skipped = (file: string, ...path: string[]): TestResult => ({ file, path, outcome: 'skipped' })

const bothDatabases = [
  passed('a.test.ts', 'lists [sqlite]', 'pages'),
  passed('a.test.ts', 'lists [postgres]', 'pages'),
  passed('b.test.ts', 'console in Chromium [sqlite]', 'opens'),
  passed('b.test.ts', 'console in Chromium [postgres]', 'opens'),
  passed('c.test.ts', 'throttle', 'counts'),
]

describe('the test runner\'s completeness check', () => {
  it('counts per database by the label of any enclosing suite, and the browser tests across both', () => {
    const { counts, unmatched } = countTests([...bothDatabases, skipped('a.test.ts', 'lists [sqlite]', 'inner', 'later')])
    assert.deepEqual(counts.sqlite, { run: 2, passed: 2, failed: 0, skipped: 1, todo: 0 })
    assert.deepEqual(counts.postgres, { run: 2, passed: 2, failed: 0, skipped: 0, todo: 0 })
    assert.equal(counts.other.run, 1)
    assert.equal(counts.chromium.run, 2)
    assert.equal(counts.total.run, 5)
    assert.deepEqual(unmatched, [{ database: 'sqlite', missingOn: 'postgres', test: 'lists […] > inner > later' }])
  })

  it('finds nothing missing in a whole run', () => {
    assert.deepEqual(incompleteRunReasons(countTests(bothDatabases), true), [])
  })

  it('fails a run whose PostgreSQL half was never declared, as dialects() does without a cluster', () => {
    const sqliteOnly = bothDatabases.filter((result) => !result.path[0]!.includes('[postgres]'))
    const reasons = incompleteRunReasons(countTests(sqliteOnly), true)
    assert.equal(reasons[0], 'no postgres test ran')
    assert.deepEqual(reasons.slice(1), ['"lists […] > pages" ran on sqlite but is missing on postgres', '"console in Chromium […] > opens" ran on sqlite but is missing on postgres'])
  })

  it('fails a run whose browser tests were all skipped, and one where a single test exists on one database only', () => {
    const browserSkipped = bothDatabases.map((result) => (result.file === 'b.test.ts' ? { ...result, outcome: 'skipped' as const } : result))
    assert.deepEqual(incompleteRunReasons(countTests(browserSkipped), true), ['no Chromium test ran'])
    const oneMissing = [...bothDatabases, passed('a.test.ts', 'lists [postgres]', 'only here')]
    assert.deepEqual(incompleteRunReasons(countTests(oneMissing), true), ['"lists […] > only here" ran on postgres but is missing on sqlite'])
  })

  it('asks a targeted run only that what ran on one database was declared on the other', () => {
    const targeted = [passed('c.test.ts', 'throttle', 'counts')]
    assert.deepEqual(incompleteRunReasons(countTests(targeted), false), [])
  })
})
