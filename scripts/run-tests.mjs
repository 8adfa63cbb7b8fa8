// Runs every test/**/*.test.ts with node's test runner (Node 20 does not expand globs itself).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return find(full)
    return entry.name.endsWith('.test.ts') ? [full] : []
  })
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : find('test').sort()
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
