// Quotas: how much of each per-project limit is in use.
import { h } from './dom.js'
import { api } from './api.js'

const LABELS = { endpoint_service: 'Endpoint services', endpoint: 'Endpoints' }

/** The filled part of a bar; set through the style property, which the console's CSP allows (inline style attributes it does not). */
function fill(share) {
  const span = h('span', { class: 'fill' })
  span.style.width = `${Math.min(100, Math.round(share * 100))}%`
  return span
}

export async function quotasPage(view) {
  view.title('Quotas')
  const data = await api('GET', '/v1/{project}/quotas')
  view.root.append(
    h('h1', { tabindex: '-1' }, 'Quotas'),
    h('p', { class: 'lead' }, 'Limits of this project. Resources count from their creation until they are gone, whatever their state. The operator sets the limits.'),
    h(
      'ul',
      { class: 'quotas' },
      data.quotas.resources.map((q) => {
        const share = q.quota > 0 ? q.used / q.quota : 1
        const level = share >= 0.9 ? 'high' : share >= 0.7 ? 'medium' : 'low'
        const labelId = `quota-${q.type}`
        return h(
          'li',
          { dataset: { type: q.type } },
          h('div', { class: 'quota-head' }, h('span', { id: labelId, class: 'quota-name' }, LABELS[q.type] ?? q.type), h('span', { class: 'quota-numbers' }, `${q.used} of ${q.quota} used`)),
          h(
            'div',
            { class: `bar ${level}`, role: 'meter', 'aria-labelledby': labelId, 'aria-valuemin': '0', 'aria-valuemax': String(q.quota), 'aria-valuenow': String(q.used), 'aria-valuetext': `${q.used} of ${q.quota} used` },
            fill(share),
          ),
        )
      }),
    ),
  )
}
