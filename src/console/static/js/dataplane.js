// The data plane's block on an endpoint page: where an accepted endpoint forwards, its live connections
// and bytes (the endpoint's `forwarding` extension field, refreshed with the page).
import { h } from './dom.js'

function bytes(n) {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = -1
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** The block, or null for an endpoint that does not forward (not accepted). */
export function forwardingBlock(endpoint) {
  const f = endpoint.forwarding
  if (endpoint.status !== 'accepted') return null
  if (!f) return h('section', { class: 'forwarding', dataset: { key: 'forwarding' } }, h('h2', {}, 'Traffic'), h('p', { class: 'notice info' }, 'No data plane has reported on this endpoint yet. With PostgreSQL, an operator runs "vpcep dataplane".'))
  const problem = f.state === 'error' ? 'notice error' : 'notice info'
  return h(
    'section',
    { class: 'forwarding', dataset: { key: 'forwarding' } },
    h('h2', {}, 'Traffic'),
    h('ul', { class: 'forwarding-listeners' }, f.listeners.map((l) => h('li', {}, 'forwarding ', h('code', {}, l.listen), ' → ', h('code', {}, l.backend), ` (${l.protocol})`))),
    h(
      'p',
      { class: 'forwarding-counters' },
      `${f.active_connections} live connection${f.active_connections === 1 ? '' : 's'} · ${f.connections_total} in all · ${f.refused_total} refused · ${bytes(f.bytes_in)} in · ${bytes(f.bytes_out)} out · PROXY protocol ${f.proxy_protocol === 'v2' ? 'v2 (marker_id in TLV 0xE0)' : 'off'}`,
    ),
    f.message || f.state !== 'forwarding' ? h('p', { class: problem }, `${f.state === 'forwarding' ? 'Note' : f.state === 'error' ? 'Cannot forward' : 'Stopped'}: ${f.message}`) : null,
  )
}
