// Summarises a .cpuprofile: self time per function (top N), for finding hot spots.
import fs from 'node:fs'
import { busiestWindow, frameName, shortUrl } from './cpuprofile.mjs'
const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const top = Number(process.argv[3] ?? 40)
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map()
// Optional third argument: only the busiest N seconds of the profile (the measured load).
const windowUs = process.argv[4] ? Number(process.argv[4]) * 1e6 : Infinity
const dt = busiestWindow(profile, windowUs)
const total = dt.reduce((a, b) => a + b, 0)
profile.samples.forEach((id, i) => {
  const n = byId.get(id)
  const f = n.callFrame
  const key = frameName(f)
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0))
})
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
for (const [k, v] of rows) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
console.log('--- by file')
const byFile = new Map()
profile.samples.forEach((id, i) => {
  const f = byId.get(id).callFrame
  const key = shortUrl(f.url) || `(${f.functionName})`
  byFile.set(key, (byFile.get(key) ?? 0) + (dt[i] ?? 0))
})
for (const [k, v] of [...byFile.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
