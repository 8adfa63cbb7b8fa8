// Endpoints: the consumer's side. List, create (to a service of any account that whitelisted
// yours), detail with delete. Lists and details refresh while something is still changing.
import { h, replaceKeepingFocus, uuid, whenChanged } from './dom.js'
import { api, ApiError, getSession, seg } from './api.js'
import { forwardingBlock } from './dataplane.js'
import { badge, busy, cardTable, clearNotices, confirmDialog, details, errorNotice, field, idText, settleNotices, stateNotice, successNotice, time } from './ui.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export async function endpointListPage(view) {
  view.title('Endpoints')
  const table = h('div', { class: 'table-wrap' })
  view.root.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'Endpoints'), h('a', { class: 'button primary', href: '#/endpoints/new' }, 'Create endpoint')),
    h('p', { class: 'lead' }, 'Your connections to endpoint services, your own or other accounts’. An endpoint gets a private IP address in your subnet.'),
    getSession() ? h('p', { class: 'hint account-hint' }, 'To connect to another account’s service, give its owner your account ID for their whitelist: ', idText(getSession().accountId, { label: 'your account ID' }), '.') : null,
    table,
  )
  const draw = whenChanged((data) => replaceKeepingFocus(table, endpointsTable(data)))
  const load = async () => {
    const data = await api('GET', '/v1/{project}/vpc-endpoints?limit=1000')
    if (view.active) draw(data)
  }
  await load()
  view.poll(load)
}

function endpointsTable({ endpoints, total_count: total }) {
  if (endpoints.length === 0) return h('p', { class: 'empty' }, 'No endpoints yet. Create one to connect to an endpoint service.')
  return [
    cardTable(h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Endpoints'),
      h('thead', {}, h('tr', {}, ['Endpoint', 'Service', 'Status', 'IP address', 'VPC ID', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        endpoints.map((e) =>
          h(
            'tr',
            { dataset: { id: e.id } },
            h('td', {}, idText(e.id, { label: 'endpoint ID', href: `#/endpoints/${seg(e.id)}` })),
            h('td', {}, idText(e.endpoint_service_name, { label: 'service name' })),
            h('td', {}, badge(e.status)),
            h('td', { class: 'nowrap' }, e.ip || '—'),
            h('td', {}, idText(e.vpc_id, { label: 'VPC ID' })),
            h('td', {}, time(e.created_at)),
          ),
        ),
      ),
    )),
    total > endpoints.length ? h('p', { class: 'hint' }, `Showing ${endpoints.length} of ${total}.`) : null,
  ]
}

/** A service id, or a full service name looked up with the describe API. */
async function resolveService(input) {
  const value = input.trim()
  if (UUID.test(value)) return value
  const found = await api('GET', `/v1/{project}/vpc-endpoint-services/describe?endpoint_service_name=${encodeURIComponent(value)}`)
  return found.id
}

export async function endpointCreatePage(view) {
  view.title('Create endpoint')
  const service = h('input', { name: 'service', required: true, spellcheck: 'false', autocapitalize: 'off', class: 'mono', list: 'known-services', size: '60' })
  const vpc = h('input', { name: 'vpc_id', required: true, value: uuid(), spellcheck: 'false', class: 'mono', size: '40' })
  const subnet = h('input', { name: 'subnet_id', required: true, value: uuid(), spellcheck: 'false', class: 'mono', size: '40' })
  const ip = h('input', { name: 'port_ip', inputmode: 'decimal', spellcheck: 'false', placeholder: 'e.g. 192.168.0.10' })
  const dns = h('input', { type: 'checkbox', id: 'enable-dns', name: 'enable_dns' })
  const description = h('textarea', { name: 'description', rows: '2', maxlength: '512' })
  const known = h('datalist', { id: 'known-services' })
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create endpoint')

  const preset = new URLSearchParams(location.hash.split('?')[1] ?? '').get('service')
  if (preset) service.value = preset

  const form = h(
    'form',
    {
      class: 'form',
      onsubmit: async (event) => {
        event.preventDefault()
        clearNotices()
        const created = await busy(submit, async () => {
          const body = { endpoint_service_id: await resolveService(service.value), vpc_id: vpc.value.trim(), subnet_id: subnet.value.trim(), enable_dns: dns.checked }
          if (ip.value.trim()) body.port_ip = ip.value.trim()
          if (description.value.trim()) body.description = description.value.trim()
          return api('POST', '/v1/{project}/vpc-endpoints', body)
        }, { 'EndPoint.1003': 'No endpoint service has that name. Paste the service ID or the full service name from its owner.' })
        if (created) view.go(`#/endpoints/${seg(created.id)}`, stateNotice(`Endpoint ${created.id} is being created.`, 'creating'))
      },
    },
    field({ label: 'Endpoint service', input: service, hint: 'The service ID or the full service name (like cn-north-4.web.<id>), as the service owner gives it.' }),
    known,
    field({ label: 'VPC ID', input: vpc, hint: 'Your VPC. vpcep has no VPC service, so any UUID is accepted; a random one is filled in.' }),
    field({ label: 'Subnet ID', input: subnet, hint: 'The subnet the endpoint’s IP address comes from (a UUID).' }),
    field({ label: 'IP address (optional)', input: ip, hint: 'Leave empty to get the next free address.' }),
    h('div', { class: 'field checkbox' }, dns, h('label', { for: 'enable-dns' }, 'Create a private DNS name')),
    field({ label: 'Description (optional)', input: description }),
    h('div', { class: 'actions' }, submit, h('a', { class: 'button secondary', href: '#/endpoints' }, 'Cancel')),
  )
  view.root.append(h('p', { class: 'crumbs' }, h('a', { href: '#/endpoints' }, 'Endpoints'), ' / New'), h('h1', { tabindex: '-1' }, 'Create endpoint'), form)

  // Suggestions: the caller's own services and the operator's public ones. Failures only lose the hints.
  Promise.all([api('GET', '/v1/{project}/vpc-endpoint-services?limit=100').catch(() => null), api('GET', '/v1/{project}/vpc-endpoint-services/public?limit=100').catch(() => null)]).then(([own, pub]) => {
    const names = new Set([...(own?.endpoint_services ?? []).filter((s) => s.status === 'available').map((s) => s.service_name), ...(pub?.endpoint_services ?? []).map((s) => s.service_name)])
    known.replaceChildren(...[...names].map((name) => h('option', { value: name })))
  })
}

export async function endpointDetailPage(view, id) {
  let endpoint
  try {
    endpoint = await api('GET', `/v1/{project}/vpc-endpoints/${seg(id)}`)
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      view.title('Endpoint not found')
      view.root.append(h('h1', { tabindex: '-1' }, 'Endpoint not found'), errorNotice(error), h('p', {}, h('a', { href: '#/endpoints' }, 'Back to the endpoints')))
      return
    }
    throw error
  }
  view.title(`Endpoint ${endpoint.id}`)
  const headStatus = h('span', { class: 'head-status' }, badge(endpoint.status))
  const body = h('div', {})
  const remove = h('button', { type: 'button', class: 'danger', dataset: { key: 'delete' } }, 'Delete endpoint')
  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Delete this endpoint?',
      body: h('p', {}, 'Endpoint ', h('code', {}, endpoint.id), ' to ', h('strong', {}, endpoint.endpoint_service_name), ' will be deleted, and its IP address freed.'),
      confirmLabel: 'Delete',
      danger: true,
    })
    if (!ok) return
    const done = await busy(remove, async () => {
      await api('DELETE', `/v1/{project}/vpc-endpoints/${seg(endpoint.id)}`)
      return true
    })
    if (done) view.go('#/endpoints', successNotice(`Endpoint ${endpoint.id} is being deleted.`))
  })
  view.root.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/endpoints' }, 'Endpoints'), ' / ', endpoint.id),
    h('div', { class: 'page-head detail-head' }, h('h1', { tabindex: '-1' }, 'Endpoint ', h('code', {}, endpoint.id)), headStatus),
    body,
    h('div', { class: 'actions danger-zone' }, remove),
  )

  const show = whenChanged((e) => {
    if (headStatus.firstChild?.dataset.status !== e.status) headStatus.replaceChildren(badge(e.status))
    settleNotices(e.status)
    replaceKeepingFocus(
      body,
      e.status === 'pendingAcceptance' ? h('p', { class: 'notice info' }, 'The owner of the service has not accepted this endpoint yet. This page updates when they decide.') : null,
      forwardingBlock(e),
      details([
        ['Status', badge(e.status)],
        ['Endpoint service', idText(e.endpoint_service_name, { label: 'service name' })],
        ['Service ID', idText(e.endpoint_service_id, { label: 'service ID' })],
        ['IP address', e.ip ? idText(e.ip, { label: 'IP address' }) : ''],
        ['DNS names', e.dns_names.join(', ')],
        ['VPC ID', idText(e.vpc_id, { label: 'VPC ID' })],
        ['Subnet ID', idText(e.subnet_id, { label: 'subnet ID' })],
        ['Marker ID', String(e.marker_id)],
        ['Service type', e.service_type],
        ['IP whitelist', e.enable_whitelist ? e.whitelist.join(', ') || 'On, empty' : 'Off'],
        e.error?.length ? ['Errors', e.error.map((x) => `${x.error_code}: ${x.error_message}`).join('; ')] : null,
        ['Created', time(e.created_at)],
        ['Updated', time(e.updated_at)],
        ['Description', e.description],
      ]),
    )
  })
  show(endpoint)
  view.follow(`/v1/{project}/vpc-endpoints/${seg(endpoint.id)}`, show, { hash: '#/endpoints', notice: successNotice(`Endpoint ${endpoint.id} no longer exists.`) })
}
