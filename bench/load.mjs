// Load generator, run as its own process so it never shares the server's event loop. Reads a spec file
// (argv[2]): { url, connections, warmupSec, durationSec, requests: [{ method, path, headers, body? }] },
// cycles through the pre-signed requests in order (one shared counter across connections), and prints
// one JSON line: { count, warmupCount, seconds, statuses, latencies, cpuMs } with every measured latency in
// milliseconds and the CPU time this load process used (so a table can say what the load itself took).
import fs from 'node:fs'
import autocannon from 'autocannon'

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const requests = spec.requests
let next = 0

function setupRequest(request) {
  const chosen = requests[next++ % requests.length]
  request.method = chosen.method
  request.path = chosen.path
  request.headers = chosen.headers
  request.body = chosen.body
  return request
}

async function run(seconds, latencies, statuses) {
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: seconds,
    timeout: 30,
    requests: [{ setupRequest }],
  })
  if (latencies) {
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime)
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
    })
  }
  const started = process.hrtime.bigint()
  const result = await instance
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
}

let warmupCount = 0
if (spec.warmupSec > 0) warmupCount = (await run(spec.warmupSec)).result.requests.total
const latencies = []
const statuses = {}
const { result, seconds } = await run(spec.durationSec, latencies, statuses)
process.stdout.write(`${JSON.stringify({ count: latencies.length, warmupCount, seconds, statuses, errors: result.errors, timeouts: result.timeouts, latencies: latencies.map((l) => Math.round(l * 1000) / 1000), cpuMs: ((u) => (u.user + u.system) / 1000)(process.cpuUsage()) })}\n`)
