// Runs every test/**/*.test.ts with node's test runner (Node 20 does not expand globs itself), on SQLite
// and on a throwaway PostgreSQL cluster that this script starts first and removes at the end. It builds
// dist/ first: the tests that start the server as a process run the bundle, as `npm start` does.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { findPostgresBin, startCluster } from './pg-cluster.mjs'

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

let status = 1
try {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env })
  status = result.status ?? 1
} finally {
  cluster?.stop()
}
process.exit(status)
