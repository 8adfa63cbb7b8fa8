// Webhook delivery figures for `npm run bench`: a loopback receiver in this process, a provider
// subscription to every connection decision, and a stream of accept/reject calls through the API. Each
// event's latency runs from its CloudEvent `time` (stamped inside the committing transaction, just before
// COMMIT) to its arrival at the receiver, on the same machine clock.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Call = (method: string, pathAndQuery: string, body?: unknown) => Promise<any>

export interface DeliveryFigures {
  events: number
  p50: number
  p99: number
  max: number
  perSecond: number
  duplicates: number
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN
}

/**
 * Decides `endpointIds` (each flipped once: accepted ones rejected, the others accepted), `concurrency`
 * calls at a time, and waits until every resulting event has arrived. Events/s counts from the first
 * call to the last arrival.
 */
export async function measureDelivery(provider: Call, projectId: string, serviceId: string, endpointIds: string[], concurrency = 16): Promise<DeliveryFigures> {
  const arrivals = new Map<string, number>()
  const latencies: number[] = []
  let duplicates = 0
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const now = Date.now()
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; time: string }
      if (arrivals.has(event.id)) duplicates++
      else {
        arrivals.set(event.id, now)
        latencies.push(now - Date.parse(event.time))
      }
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`
  try {
    const subscription = await provider('POST', `/vpcep-ext/v1/${projectId}/subscriptions`, {
      subscription: { name: 'bench', url, resource_type: 'endpoint_service', resource_id: serviceId, event_types: ['connection.accepted', 'connection.rejected'] },
    })
    const listed = await provider('GET', `/v1/${projectId}/vpc-endpoint-services/${serviceId}/connections?limit=1000`)
    const status = new Map<string, string>((listed.connections as Array<{ id: string; status: string }>).map((c) => [c.id, c.status]))
    const started = Date.now()
    let next = 0
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < endpointIds.length) {
          const id = endpointIds[next++]!
          const action = status.get(id) === 'accepted' ? 'reject' : 'receive'
          await provider('POST', `/v1/${projectId}/vpc-endpoint-services/${serviceId}/connections/action`, { action, endpoints: [id] })
        }
      }),
    )
    const deadline = Date.now() + 120_000
    while (arrivals.size < endpointIds.length) {
      if (Date.now() > deadline) throw new Error(`webhooks: ${arrivals.size} of ${endpointIds.length} events arrived within 120 s`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const last = Math.max(...arrivals.values())
    await provider('DELETE', `/vpcep-ext/v1/${projectId}/subscriptions/${subscription.subscription.id}`)
    const sorted = [...latencies].sort((a, b) => a - b)
    return { events: arrivals.size, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN, perSecond: (arrivals.size * 1000) / Math.max(1, last - started), duplicates }
  } finally {
    receiver.closeAllConnections()
    await new Promise<void>((resolve) => receiver.close(() => resolve()))
  }
}

export function describeDelivery(f: DeliveryFigures): string {
  return `${f.events} events: commit → receipt p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms; ${f.perSecond.toFixed(0)} events/s end to end (API decisions 16 at a time, each event one signed POST); ${f.duplicates} duplicates`
}
