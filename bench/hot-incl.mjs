// Inclusive time per function over the busiest N seconds of a .cpuprofile.
import fs from 'node:fs'
import { busiestWindow, frameName } from './cpuprofile.mjs'
const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const top = Number(process.argv[3] ?? 60)
const windowUs = process.argv[4] ? Number(process.argv[4]) * 1e6 : Infinity
const filter = process.argv[5] ? new RegExp(process.argv[5]) : undefined
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const dt = busiestWindow(profile, windowUs)
const total = dt.reduce((a, b) => a + b, 0)
const incl = new Map()
const keyOf = (n) => frameName(n.callFrame)
profile.samples.forEach((id, i) => {
  if (!dt[i]) return
  const seen = new Set()
  for (let n = id; n !== undefined; n = parent.get(n)) seen.add(keyOf(byId.get(n)))
  for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + dt[i])
})
for (const [k, v] of [...incl.entries()].filter(([k]) => !filter || filter.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
