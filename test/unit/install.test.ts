import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { nodeRangeAllows, versionOf } from '../helpers/node-range.ts'

/*
 * `npm ci` on the documented Node must install quietly: no EBADENGINE (a dependency whose engines.node
 * excludes the Node the README names) and no "install scripts not yet covered by allowScripts" (a
 * dependency with an install step package.json has not approved). Both are read from the lockfile,
 * which is what `npm ci` installs.
 */

interface LockEntry {
  version?: string
  engines?: { node?: string } | string[]
  hasInstallScript?: boolean
}

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { engines: { node: string }; allowScripts?: Record<string, boolean> }
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> }
const installed = Object.entries(lock.packages).filter(([where]) => where !== '')
const nameOf = (where: string) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length)

describe('a clean npm ci', () => {
  it('reads version ranges the way npm does', () => {
    assert.equal(nodeRangeAllows('>=22', '20.0.0'), false)
    assert.equal(nodeRangeAllows('>=18', '20.0.0'), true)
    assert.equal(nodeRangeAllows('^18.18.0 || ^20.9.0 || >=21.1.0', '20.0.0'), false)
    assert.equal(nodeRangeAllows('^18.18.0 || ^20.9.0 || >=21.1.0', '20.19.2'), true)
    assert.equal(nodeRangeAllows('>= 14.17 < 21', '20.3.1'), true)
    assert.equal(nodeRangeAllows('>= 14.17 < 21', '21.0.0'), false)
    assert.equal(nodeRangeAllows('14 || >=16.14', '20.0.0'), true)
    assert.equal(nodeRangeAllows('~20.1', '20.2.0'), false)
    assert.equal(nodeRangeAllows('20.x', '20.5.0'), true)
    assert.equal(nodeRangeAllows('12 - 18', '20.0.0'), false)
    assert.equal(nodeRangeAllows('*', '20.0.0'), true)
    assert.equal(nodeRangeAllows('', '20.0.0'), true)
    assert.equal(nodeRangeAllows('>v18.0.0', '20.0.0'), true)
  })

  it('every locked package accepts the oldest Node the project claims and the one running', () => {
    const floor = /^>=\s*(\d+(\.\d+){0,2})$/.exec(pkg.engines.node.trim())?.[1]
    assert.ok(floor, `package.json engines.node is ${pkg.engines.node}; this test expects a ">=N" floor`)
    const nodes = [versionOf(floor), versionOf(process.version)]
    const refusing = installed.flatMap(([where, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node
      if (range === undefined) return []
      return nodes.filter((node) => !nodeRangeAllows(range, node)).map((node) => `${nameOf(where)}@${entry.version} wants node ${range}, not ${node.join(".")}`)
    })
    assert.deepEqual(refusing, [], 'npm ci would print EBADENGINE for these; pin or override them in package.json')
  })

  it('every locked package with an install script is named in allowScripts', () => {
    const allowed = pkg.allowScripts ?? {}
    const covered = (name: string, version: string | undefined) => Object.keys(allowed).some((key) => key === name || key === `${name}@${version}`)
    const unreviewed = installed.filter(([where, entry]) => entry.hasInstallScript && !covered(nameOf(where), entry.version)).map(([where, e]) => `${nameOf(where)}@${e.version}`)
    assert.deepEqual(unreviewed, [], 'npm ci would skip their scripts and warn; review them and run "npm install-scripts approve <name>"')
  })
})
