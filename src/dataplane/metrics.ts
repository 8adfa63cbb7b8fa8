import { Counter, Gauge, type Registry } from 'prom-client'
import type { EndpointListeners } from './endpoint-listeners.ts'

/**
 * The data plane's Prometheus metrics, on the registry it is given (the API's in the embedded mode, its
 * own for `vpcep dataplane`). Read from the live listeners when scraped, so ended endpoints drop out.
 */
export function registerDataplaneMetrics(registry: Registry, endpoints: () => Iterable<EndpointListeners>): void {
  const registers = [registry]
  new Gauge({
    name: 'vpcep_dataplane_connections_active',
    help: 'Client connections (UDP: flows) forwarding now, per endpoint',
    labelNames: ['endpoint_id'],
    registers,
    collect() {
      this.reset()
      for (const e of endpoints()) this.set({ endpoint_id: e.id }, e.activeConnections)
    },
  })
  new Counter({
    name: 'vpcep_dataplane_connections_opened_total',
    help: 'Client connections forwarded to the backend, per endpoint',
    labelNames: ['endpoint_id'],
    registers,
    collect() {
      this.reset()
      for (const e of endpoints()) this.inc({ endpoint_id: e.id }, e.connectionsTotal)
    },
  })
  new Counter({
    name: 'vpcep_dataplane_connections_refused_total',
    help: "Client connections refused (by the endpoint's whitelist, or the backend not answering), per endpoint",
    labelNames: ['endpoint_id'],
    registers,
    collect() {
      this.reset()
      for (const e of endpoints()) this.inc({ endpoint_id: e.id }, e.refusedTotal)
    },
  })
  new Counter({
    name: 'vpcep_dataplane_bytes_total',
    help: 'Bytes forwarded per endpoint: in = client to backend, out = backend to client',
    labelNames: ['endpoint_id', 'direction'],
    registers,
    collect() {
      this.reset()
      for (const e of endpoints()) {
        const r = e.report('')
        this.inc({ endpoint_id: e.id, direction: 'in' }, r.bytesIn)
        this.inc({ endpoint_id: e.id, direction: 'out' }, r.bytesOut)
      }
    },
  })
  new Gauge({
    name: 'vpcep_dataplane_endpoints',
    help: 'Accepted endpoints the data plane handles, by state (forwarding, error)',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset()
      let ok = 0
      let failing = 0
      for (const e of endpoints()) e.hasProblems ? failing++ : ok++
      this.set({ state: 'forwarding' }, ok)
      this.set({ state: 'error' }, failing)
    },
  })
}
