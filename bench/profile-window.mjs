// Which samples of a .cpuprofile to count: those inside the busiest window of the given length (the
// measured load), so a profile stays readable when the server idles or seeds before and after it.
const IDLE = new Set(['(idle)', '(program)'])

/** Per-sample durations, zero outside the busiest `windowUs` microseconds (all of them when Infinity). */
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
