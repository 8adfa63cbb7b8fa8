// Connections of a service: the endpoints other projects made to it. Pending ones first; accept or
// reject each after a confirmation. Updated live as connections change.
import { h, replaceKeepingFocus, whenChanged } from './dom.js'
import { api, seg } from './api.js'
import { badge, busy, cardTable, clearNotices, confirmDialog, idText, notify, statusLabel, successNotice, time } from './ui.js'
import { loadService, serviceFrame, serviceLabel } from './services.js'

const ORDER = { pendingAcceptance: 0, creating: 1, accepted: 2, rejected: 3, failed: 4, deleting: 5 }

/** Pending first, then by state, newest first within a state. */
export function sortConnections(list) {
  return [...list].sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id))
}

export async function connectionsPage(view, id) {
  const service = await loadService(view, id)
  if (!service) return
  view.title(`Connections of ${serviceLabel(service)}`)
  const refreshHead = serviceFrame(view, service, 'connections')
  const base = `/v1/{project}/vpc-endpoint-services/${seg(service.id)}`
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' })
  const table = h('div', { class: 'table-wrap' })
  view.root.append(
    h('p', { class: 'lead' }, service.approval_enabled ? 'New endpoints wait for your decision. Accepted ones can reach the service; rejected ones cannot.' : 'This service accepts new endpoints automatically; you can still reject them here.'),
    summary,
    table,
    h('p', { class: 'hint' }, 'This list updates as soon as a connection changes.'),
  )

  let connections = []
  const draw = whenChanged((data) => {
    connections = sortConnections(data.connections)
    const pending = connections.filter((c) => c.status === 'pendingAcceptance').length
    const accepted = connections.filter((c) => c.status === 'accepted').length
    summary.textContent = connections.length === 0 ? '' : `${pending} pending · ${accepted} accepted · ${connections.length} in all`
    replaceKeepingFocus(table, connections.length === 0 ? h('p', { class: 'empty' }, 'No connections yet. Endpoints that accounts create to this service appear here.') : connectionsTable(connections))
  })
  const load = async () => {
    const [data, fresh] = await Promise.all([api('GET', `${base}/connections?limit=1000`), api('GET', base)])
    if (!view.active) return
    refreshHead(fresh, data.connections.filter((c) => c.status === 'pendingAcceptance').length)
    draw(data)
  }

  const decide = async (connection, action, button) => {
    const accept = action === 'receive'
    const ok = await confirmDialog({
      title: accept ? 'Accept this connection?' : 'Reject this connection?',
      body: [
        h('p', {}, 'Endpoint ', h('code', {}, connection.id), ' of account ', h('code', {}, connection.domain_id), '.'),
        h('p', {}, accept ? 'Once accepted, the endpoint can reach this service.' : 'Once rejected, the endpoint can no longer reach this service. You can accept it again later.'),
      ],
      confirmLabel: accept ? 'Accept' : 'Reject',
      danger: !accept,
    })
    if (!ok) return
    clearNotices()
    const done = await busy(button, () => api('POST', `${base}/connections/action`, { action, endpoints: [connection.id] }))
    if (!done) return
    const status = done.connections?.[0]?.status
    draw.forget()
    await load()
    notify(successNotice(`Connection ${connection.id} is now ${statusLabel(status ?? (accept ? 'accepted' : 'rejected')).toLowerCase()}.`))
  }

  const connectionsTable = (list) =>
    cardTable(h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Connections, pending first'),
      h('thead', {}, h('tr', {}, ['Endpoint', 'Account ID', 'Status', 'Created', 'Description', 'Decision'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        list.map((c) => {
          const actions = []
          if (c.status === 'pendingAcceptance' || c.status === 'rejected') {
            const b = h('button', { type: 'button', class: 'primary small', dataset: { key: `accept:${c.id}` }, 'aria-label': `Accept endpoint ${c.id}` }, 'Accept')
            b.addEventListener('click', () => decide(c, 'receive', b))
            actions.push(b)
          }
          if (c.status === 'pendingAcceptance' || c.status === 'accepted') {
            const b = h('button', { type: 'button', class: 'danger small', dataset: { key: `reject:${c.id}` }, 'aria-label': `Reject endpoint ${c.id}` }, 'Reject')
            b.addEventListener('click', () => decide(c, 'reject', b))
            actions.push(b)
          }
          return h(
            'tr',
            { dataset: { id: c.id, status: c.status } },
            h('td', {}, idText(c.id, { label: 'endpoint ID' }), h('div', { class: 'sub' }, `marker ${c.marker_id}`)),
            h('td', {}, idText(c.domain_id, { label: 'account ID' })),
            h('td', {}, badge(c.status)),
            h('td', {}, time(c.created_at)),
            h('td', {}, c.description || '—'),
            h('td', { class: 'row-actions' }, actions.length ? actions : '—'),
          )
        }),
      ),
    ))

  await load()
  view.poll(load)
}
