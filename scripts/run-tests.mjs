// Runs every test/**/*.test.ts with node's test runner (Node 20 does not expand globs itself), on SQLite
// and on a throwaway PostgreSQL cluster that this script starts first and removes at the end. It builds
// dist/ first: the tests that start the server as a process run the bundle, as `npm start` does.
// At the end it prints how many tests each database and the browser ran; under CI (the CI variable set) a
// run where a half is missing fails, however green the tests that did run.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { findPostgresBin, startCluster } from './pg-cluster.mjs'
import { countTests, formatCounts, incompleteRunReasons } from './test-counts.mjs'

const SQLITE_ONLY_WARNING = [
  '!'.repeat(100),
  '!!! VPCEP_TEST_SQLITE_ONLY=1: the PostgreSQL half of the suite is NOT running. For local use only;',
  '!!! a green run here says nothing about PostgreSQL. CI refuses this setting.',
  '!'.repeat(100),
].join('\n')

if (process.env.VPCEP_TEST_SQLITE_ONLY === '1') {
  if (process.env.CI) {
    console.error('VPCEP_TEST_SQLITE_ONLY=1 is refused under CI: CI runs both databases.')
    process.exit(1)
  }
  console.warn(SQLITE_ONLY_WARNING)
}

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return find(full)
    return entry.name.endsWith('.test.ts') ? [full] : []
  })
}

// Before anything else, so a build error stops the run at once and no cluster is left to clean up.
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' })
if (build.status !== 0) {
  console.error('scripts/build.mjs failed; not running the tests.')
  process.exit(build.status ?? 1)
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : find('test').sort()

let cluster
const env = { ...process.env }
// PostgreSQL deployments must name the key that encrypts secrets at rest; tests use a throwaway one.
env.VPCEP_MASTER_KEY ??= randomBytes(32).toString('hex')
if (env.VPCEP_TEST_SQLITE_ONLY === '1') delete env.VPCEP_TEST_PG_URL
if (!env.VPCEP_TEST_PG_URL && env.VPCEP_TEST_SQLITE_ONLY !== '1') {
  if (findPostgresBin()) {
    cluster = await startCluster()
    env.VPCEP_TEST_PG_URL = cluster.url
    console.log(`PostgreSQL test cluster on 127.0.0.1:${cluster.port}`)
  } else if (env.CI) {
    console.error('PostgreSQL server binaries are missing; CI must install Debian\'s postgresql package (.ci/run does).')
    process.exit(1)
  } else {
    console.warn('WARNING: PostgreSQL is not installed here; running the SQLite half of the suite only.')
  }
}

const countsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-test-counts-')), 'counts.json')
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./scripts/test-counts-reporter.mjs', `--test-reporter-destination=${countsFile}`]
let status = 1
try {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...reporters, ...files], { stdio: 'inherit', env })
  status = result.status ?? 1
} finally {
  cluster?.stop()
}

const written = fs.existsSync(countsFile) ? fs.readFileSync(countsFile, 'utf8').trim() : ''
fs.rmSync(path.dirname(countsFile), { recursive: true, force: true })
if (!written) {
  console.error('The test runner wrote no counts; treating the run as failed.')
  process.exit(1)
}
const summary = countTests(JSON.parse(written))
console.log(`\nTests by database (leaf tests; "run" = passed + failed):\n${formatCounts(summary)}`)
const reasons = incompleteRunReasons(summary, only.length === 0)
if (reasons.length > 0) {
  const shown = reasons.length > 12 ? [...reasons.slice(0, 12), `… and ${reasons.length - 12} more`] : reasons
  const report = `The run is incomplete:\n  ${shown.join('\n  ')}`
  if (env.CI) {
    console.error(`${report}\nCI requires both databases and the browser; failing.`)
    status = status || 1
  } else {
    console.warn(`WARNING: ${report}`)
  }
}
if (env.VPCEP_TEST_SQLITE_ONLY === '1') console.warn(SQLITE_ONLY_WARNING)
process.exit(status)
