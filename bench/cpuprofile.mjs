// Shared by the .cpuprofile summarisers (hot.mjs, hot-incl.mjs): which samples to count, and how to name
// a frame.

/** A script's address, shortened: `~/pkg/…` for dependencies, `src/…`, `bench/…` or `dist/…` for ours. */
export const shortUrl = (url) => url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/.*?\/(src|bench|dist)\//, '$1/')

/** `function file:line` of a profile node's call frame. */
export const frameName = (frame) => `${frame.functionName || '(anon)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`

const IDLE = new Set(['(idle)', '(program)'])

/**
 * Per-sample durations, zero outside the busiest `windowUs` microseconds (all of them when Infinity): the
 * measured load, so a profile stays readable when the server idles or seeds before and after it.
 */
export function busiestWindow(profile, windowUs) {
  const dt = profile.timeDeltas.slice()
  if (!Number.isFinite(windowUs)) return dt
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const busy = profile.samples.map((id, i) => (IDLE.has(byId.get(id).callFrame.functionName) ? 0 : dt[i]))
  const at = []
  let t = 0
  for (const d of dt) at.push((t += d))
  let best = 0
  let bestStart = 0
  let sum = 0
  for (let start = 0, end = 0; end < dt.length; end++) {
    sum += busy[end]
    while (at[end] - at[start] > windowUs) sum -= busy[start++]
    if (sum > best) [best, bestStart] = [sum, start]
  }
  const windowEnd = at[bestStart] + windowUs
  return dt.map((d, i) => (i >= bestStart && at[i] <= windowEnd ? d : 0))
}
