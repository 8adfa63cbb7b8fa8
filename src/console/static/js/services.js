// Endpoint services: the provider's side. List, create, detail (with delete), and the frame shared
// with the whitelist and connections pages.
import { h, replaceKeepingFocus, uuid, whenChanged } from './dom.js'
import { api, ApiError, seg } from './api.js'
import { badge, busy, cardTable, clearNotices, confirmDialog, connectionCounts, details, errorNotice, field, idText, ports, settleNotices, shortName, stateNotice, successNotice, time } from './ui.js'

const SERVER_TYPES = [
  ['VM', 'Cloud server (VM)'],
  ['VIP', 'Virtual IP address (VIP)'],
  ['LB', 'Load balancer (LB)'],
]

export const serviceLabel = (service) => shortName(service) || service.id

export async function serviceListPage(view) {
  view.title('Endpoint services')
  const table = h('div', { class: 'table-wrap' })
  view.root.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'Endpoint services'), h('a', { class: 'button primary', href: '#/services/new' }, 'Create endpoint service')),
    h('p', { class: 'lead' }, 'Services you offer to other accounts. Each one exposes a backend in your VPC; accounts on its whitelist connect to it with endpoints.'),
    table,
  )
  const draw = whenChanged((data) => replaceKeepingFocus(table, servicesTable(data)))
  const load = async () => {
    const data = await api('GET', '/v1/{project}/vpc-endpoint-services?limit=1000')
    const pending = await pendingCounts(data.endpoint_services)
    if (view.active) draw({ ...data, pending })
  }
  await load()
  view.poll(load)
}

/**
 * Connection requests waiting for the provider, per service id. `connection_count` counts accepted
 * connections only; these are one call per service that asks for approval (others accept at once).
 */
export async function pendingCounts(services) {
  const counts = {}
  await Promise.all(
    services.map(async (s) => {
      if (!s.approval_enabled || s.status === 'deleting') return
      try {
        const page = await api('GET', `/v1/{project}/vpc-endpoint-services/${seg(s.id)}/connections?status=pendingAcceptance&limit=1`)
        counts[s.id] = page.total_count
      } catch (error) {
        // Deleted between the two calls: it has nothing pending, and the next poll will not list it.
        if (!(error instanceof ApiError && error.status === 404)) throw error
      }
    }),
  )
  return counts
}

function servicesTable({ endpoint_services: services, total_count: total, pending }) {
  if (services.length === 0) return h('p', { class: 'empty' }, 'No endpoint services yet. Create one to offer a backend to other accounts.')
  const waiting = services.reduce((n, s) => n + (pending[s.id] ?? 0), 0)
  return [
    waiting > 0 ? h('p', { class: 'notice pending' }, h('strong', {}, `${waiting} connection ${waiting === 1 ? 'request waits' : 'requests wait'} for your approval.`), ' Open the service to accept or reject.') : null,
    cardTable(h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Endpoint services'),
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Backend', 'Ports', 'Approval', 'Connections', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        services.map((s) =>
          h(
            'tr',
            { dataset: pending[s.id] ? { id: s.id, pending: 'true' } : { id: s.id } },
            h('td', { class: 'name' }, h('a', { href: `#/services/${seg(s.id)}`, dataset: { key: `open:${s.id}` } }, serviceLabel(s)), h('div', { class: 'sub' }, idText(s.id, { label: 'service ID' }))),
            h('td', {}, badge(s.status)),
            h('td', {}, s.server_type),
            h('td', { class: 'nowrap' }, ports(s.ports)),
            h('td', {}, s.approval_enabled ? 'Required' : 'Automatic'),
            h('td', {}, pending[s.id] ? h('a', { href: `#/services/${seg(s.id)}/connections` }, connectionCounts(s.connection_count, pending[s.id])) : connectionCounts(s.connection_count, 0)),
            h('td', {}, time(s.created_at)),
          ),
        ),
      ),
    )),
    total > services.length ? h('p', { class: 'hint' }, `Showing ${services.length} of ${total}.`) : null,
  ]
}

export async function serviceCreatePage(view) {
  view.title('Create endpoint service')
  const name = h('input', { name: 'service_name', maxlength: '16', pattern: '[A-Za-z0-9_\\-]*', spellcheck: 'false', autocapitalize: 'off' })
  const serverType = h('select', { name: 'server_type' }, SERVER_TYPES.map(([value, label]) => h('option', { value }, label)))
  const vpc = h('input', { name: 'vpc_id', required: true, value: uuid(), spellcheck: 'false', class: 'mono', size: '40' })
  const port = h('input', { name: 'port_id', required: true, value: uuid(), spellcheck: 'false', class: 'mono', size: '40' })
  const approval = h('input', { type: 'checkbox', id: 'approval', name: 'approval_enabled', checked: true, 'aria-describedby': 'approval-hint' })
  const description = h('textarea', { name: 'description', rows: '2', maxlength: '512' })

  const mappings = h('div', { class: 'mappings' })
  const addMapping = (client = '', server = '') => {
    const n = mappings.children.length + 1
    const row = h(
      'div',
      { class: 'mapping' },
      field({ label: `Client port ${n}`, input: h('input', { type: 'number', min: '1', max: '65535', required: true, value: client, class: 'client', inputmode: 'numeric' }) }),
      field({ label: `Server port ${n}`, input: h('input', { type: 'number', min: '1', max: '65535', required: true, value: server, class: 'server', inputmode: 'numeric' }) }),
      field({ label: `Protocol ${n}`, input: h('select', { class: 'protocol' }, h('option', { value: 'TCP' }, 'TCP'), h('option', { value: 'UDP' }, 'UDP')) }),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary small',
          'aria-label': `Remove port mapping ${n}`,
          onclick: () => {
            if (mappings.children.length > 1) row.remove()
          },
        },
        'Remove',
      ),
    )
    mappings.append(row)
    return row
  }
  addMapping('8080', '80')

  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create endpoint service')
  const form = h(
    'form',
    {
      class: 'form',
      onsubmit: async (event) => {
        event.preventDefault()
        clearNotices()
        const body = {
          vpc_id: vpc.value.trim(),
          port_id: port.value.trim(),
          server_type: serverType.value,
          approval_enabled: approval.checked,
          ports: [...mappings.children].map((row) => ({
            client_port: Number(row.querySelector('.client').value),
            server_port: Number(row.querySelector('.server').value),
            protocol: row.querySelector('.protocol').value,
          })),
        }
        if (name.value.trim()) body.service_name = name.value.trim()
        if (description.value.trim()) body.description = description.value.trim()
        const created = await busy(submit, () => api('POST', '/v1/{project}/vpc-endpoint-services', body))
        if (created) view.go(`#/services/${seg(created.id)}`, stateNotice(`Endpoint service ${serviceLabel(created)} is being created.`, 'creating'))
      },
    },
    field({ label: 'Name (optional)', input: name, hint: 'Up to 16 letters, digits, _ or -. It becomes part of the full service name consumers use.' }),
    field({ label: 'Backend type', input: serverType }),
    field({ label: 'VPC ID', input: vpc, hint: 'The VPC of the backend. vpcep has no VPC service, so any UUID is accepted; a random one is filled in.' }),
    field({ label: 'Backend port ID', input: port, hint: 'The network port (NIC or load-balancer VIP) of the backend, as a UUID.' }),
    h('fieldset', {}, h('legend', {}, 'Port mappings'), h('p', { class: 'hint' }, 'Consumers connect to the client port; traffic goes to the server port of the backend.'), mappings, h('button', { type: 'button', class: 'secondary small', onclick: () => addMapping().querySelector('input')?.focus() }, 'Add port mapping')),
    h('div', { class: 'field checkbox' }, approval, h('label', { for: 'approval' }, 'Connections need my approval'), h('p', { class: 'hint', id: 'approval-hint' }, 'When on, each new endpoint waits in "Pending acceptance" until you accept it.')),
    field({ label: 'Description (optional)', input: description }),
    h('div', { class: 'actions' }, submit, h('a', { class: 'button secondary', href: '#/services' }, 'Cancel')),
  )
  view.root.append(h('p', { class: 'crumbs' }, h('a', { href: '#/services' }, 'Endpoint services'), ' / New'), h('h1', { tabindex: '-1' }, 'Create endpoint service'), form)
}

/**
 * The heading, status and tabs of one service; `body` is filled by the page. Answers a function that
 * refreshes the heading from a newer copy of the service.
 */
export function serviceFrame(view, service, tab) {
  const headStatus = h('span', { class: 'head-status' }, badge(service.status))
  const pendingBadge = h('span', { class: 'tab-count', hidden: true })
  const tabs = [
    ['overview', `#/services/${seg(service.id)}`, 'Overview', null],
    ['whitelist', `#/services/${seg(service.id)}/whitelist`, 'Whitelist', null],
    ['connections', `#/services/${seg(service.id)}/connections`, 'Connections', pendingBadge],
  ]
  view.root.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/services' }, 'Endpoint services'), ' / ', serviceLabel(service)),
    h('div', { class: 'page-head detail-head' }, h('h1', { tabindex: '-1' }, serviceLabel(service)), headStatus),
    h('nav', { class: 'tabs', 'aria-label': 'Service sections' }, h('ul', {}, tabs.map(([key, href, label, extra]) => h('li', {}, h('a', { href, 'aria-current': key === tab ? 'page' : undefined }, label, extra))))),
  )
  const showPending = (count) => {
    pendingBadge.hidden = !count
    pendingBadge.textContent = count ? String(count) : ''
    pendingBadge.setAttribute('aria-label', `${count} pending`)
    pendingBadge.title = `${count} connection ${count === 1 ? 'request waits' : 'requests wait'} for your approval`
  }
  const refreshPending = async (fresh) => {
    const counts = await pendingCounts([fresh])
    if (view.active) showPending(counts[fresh.id] ?? 0)
  }
  void refreshPending(service).catch(() => {})
  return (fresh, pending) => {
    if (headStatus.firstChild?.dataset.status !== fresh.status) headStatus.replaceChildren(badge(fresh.status))
    if (pending === undefined) void refreshPending(fresh).catch(() => {})
    else showPending(pending)
  }
}

/** Loads a service; on 404 shows a plain "gone" page instead. */
export async function loadService(view, id) {
  try {
    return await api('GET', `/v1/{project}/vpc-endpoint-services/${seg(id)}`)
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      view.title('Endpoint service not found')
      view.root.append(h('h1', { tabindex: '-1' }, 'Endpoint service not found'), errorNotice(error), h('p', {}, h('a', { href: '#/services' }, 'Back to the endpoint services')))
      return undefined
    }
    throw error
  }
}

export async function serviceDetailPage(view, id) {
  const service = await loadService(view, id)
  if (!service) return
  view.title(`${serviceLabel(service)} — endpoint service`)
  const refreshHead = serviceFrame(view, service, 'overview')
  const body = h('div', { class: 'overview' })
  const remove = h('button', { type: 'button', class: 'danger', dataset: { key: 'delete' } }, 'Delete endpoint service')
  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Delete this endpoint service?',
      body: [h('p', {}, 'Service ', h('strong', {}, serviceLabel(service)), ' will be deleted. Endpoints that are pending, rejected or failed go with it.'), h('p', {}, 'Services with accepted connections cannot be deleted: reject those first.')],
      confirmLabel: 'Delete',
      danger: true,
    })
    if (!ok) return
    const done = await busy(remove, async () => {
      await api('DELETE', `/v1/{project}/vpc-endpoint-services/${seg(service.id)}`)
      return true
    })
    if (done) view.go('#/services', successNotice(`Endpoint service ${serviceLabel(service)} is being deleted.`))
  })
  view.root.append(body, h('div', { class: 'actions danger-zone' }, remove))

  let pending = 0
  const show = whenChanged((s) => {
    refreshHead(s, pending)
    settleNotices(s.status)
    replaceKeepingFocus(
      body,
      details([
        ['Full service name', idText(s.service_name, { label: 'full service name' })],
        ['Service ID', idText(s.id, { label: 'service ID' })],
        ['Status', badge(s.status)],
        s.status === 'failed' && s.error ? ['Errors', s.error.map((e) => `${e.code}: ${e.message}`).join('; ')] : null,
        ['Connections need approval', s.approval_enabled ? 'Yes' : 'No — accepted automatically'],
        ['Connections', h('span', { class: pending ? 'pending-line' : undefined }, h('a', { href: `#/services/${seg(s.id)}/connections` }, connectionCounts(s.connection_count, pending), ' — view connections'), pending ? h('span', { class: 'hint' }, ` ${pending === 1 ? 'A request waits' : 'Requests wait'} for your approval.`) : null)],
        ['Backend type', s.server_type],
        ['VPC ID', idText(s.vpc_id, { label: 'VPC ID' })],
        ['Backend port ID', idText(s.port_id, { label: 'backend port ID' })],
        ['Port mappings', ports(s.ports)],
        ['Service type', s.service_type],
        ['Created', time(s.created_at)],
        ['Updated', time(s.updated_at)],
        ['Description', s.description],
      ]),
      h('p', { class: 'hint' }, 'Consumers create an endpoint with the service ID or the full service name. Their account must be on the ', h('a', { href: `#/services/${seg(s.id)}/whitelist` }, 'whitelist'), ' first.'),
    )
  })
  const showWithPending = async (s) => {
    pending = (await pendingCounts([s]))[s.id] ?? 0
    if (view.active) show({ ...s, pending })
  }
  await showWithPending(service)
  // A failed count is retried on the next poll; the page keeps what it shows.
  view.follow(`/v1/{project}/vpc-endpoint-services/${seg(service.id)}`, (s) => showWithPending(s).catch(() => {}), {
    hash: '#/services',
    notice: successNotice(`Endpoint service ${serviceLabel(service)} no longer exists.`),
  })
}
