// Where a server's CPU time goes, from `perf script` output of a `perf record -e cpu-clock -g` of the
// process (started with --perf-basic-prof, so JIT frames have names). cpu-clock samples only while the
// thread runs, so time spent waiting for the machine is not counted, unlike a V8 --cpu-prof profile.
// Usage: node bench/perf-breakdown.mjs perf.txt [top]
// Prints the main thread's samples by kind (the socket write in the kernel, SQLite, garbage collection)
// and otherwise by the file of the nearest JavaScript frame, then the JavaScript functions with the most.
import fs from 'node:fs'

const [file, topArg] = process.argv.slice(2)
if (!file) {
  console.error('usage: node bench/perf-breakdown.mjs <perf script output> [top]')
  process.exit(2)
}
const top = Number(topArg ?? 25)

const samples = fs
  .readFileSync(file, 'utf8')
  .split(/\n\s*\n/)
  .map((block) => block.split('\n').map((line) => line.trim()).filter(Boolean))
  .filter((lines) => lines.length > 1)
  .map(([header, ...frames]) => ({
    thread: header.split(/\s+/).slice(0, 2).join(' '),
    frames: frames.map((frame) => frame.replace(/^[0-9a-f]+\s+/, '').replace(/\+0x[0-9a-f]+/, '').replace(/\s+\([^)]*\)$/, '')),
  }))

const perThread = new Map()
for (const { thread } of samples) perThread.set(thread, (perThread.get(thread) ?? 0) + 1)
const main = [...perThread.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
const ours = samples.filter((sample) => sample.thread === main)

/** `JS:*name file:///…/x.mjs:1:2` → a short name for the file. */
function fileOf(frame) {
  const match = /^JS:\S*\s+(?:\S+\s+)?(\S+?):\d+:\d+$/.exec(frame) ?? /^JS:\S*\s+(\S+?):\d+:\d+$/.exec(frame)
  if (!match) return undefined
  return match[1]
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\/([^/]+)\/.*$/, 'node_modules/$1')
    .replace(/^.*\/(dist|src|bench)\/.*$/, 'vpcep ($1/)')
    .replace(/^node:(internal\/)?([a-z_]+).*$/, 'node:$2')
}

function kindOf(frames) {
  if (frames.some((f) => f === 'do_writev' || f === 'do_write')) return 'kernel: socket write'
  if (frames.some((f) => f.startsWith('sqlite3'))) return 'SQLite'
  if (frames.some((f) => /Heap::|Scavenger|MarkCompact|ScavengeJob/.test(f))) return 'garbage collection'
  for (const frame of frames) {
    const name = fileOf(frame)
    if (name) return name
  }
  return frames.some((f) => /^(__x64_sys|do_syscall|entry_SYSCALL)/.test(f)) ? 'kernel: other system calls' : 'native, no JavaScript caller'
}

const count = (keys) => {
  const counts = new Map()
  for (const key of keys) if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])
}
const percent = (n) => `${((100 * n) / ours.length).toFixed(1).padStart(5)}%`

console.log(`${ours.length} samples of thread ${main} (${samples.length} in all)\n\nby kind, else by the file of the nearest JavaScript frame:`)
for (const [kind, n] of count(ours.map((s) => kindOf(s.frames))).slice(0, top)) console.log(`${percent(n)}  ${kind}`)
console.log('\nJavaScript functions, inclusive (a function counted once per sample it is on the stack of):')
for (const [name, n] of count(ours.flatMap((s) => [...new Set(s.frames.filter((f) => f.startsWith('JS:')))])).slice(0, top)) console.log(`${percent(n)}  ${name.slice(0, 140)}`)
const writes = ours.filter((s) => s.frames.some((f) => f === 'do_writev' || f === 'do_write'))
if (writes.length > 0) {
  console.log('\ninside the socket writes, by the function running when sampled:')
  for (const [name, n] of count(writes.map((s) => s.frames[0])).slice(0, 5)) console.log(`${percent(n)}  ${name}`)
}
