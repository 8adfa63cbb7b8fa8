// The whitelist of a service: the accounts allowed to connect. Add records; select several and
// remove them in one batch-delete call.
import { h, replaceKeepingFocus } from './dom.js'
import { api, seg } from './api.js'
import { busy, cardTable, clearNotices, confirmDialog, field, idText, notify, successNotice, time } from './ui.js'
import { loadService, serviceFrame, serviceLabel } from './services.js'

/** What a person types → the whitelist string: an account ID becomes iam:domain::<id>. */
export function toPermission(entry) {
  const value = entry.trim()
  if (value === '*' || /^iam:domain::/i.test(value) || /^organizations:orgPath::/i.test(value)) return value
  return `iam:domain::${value}`
}

function describePermission(p) {
  if (p.permission === 'iam:domain::*' || p.permission === '*') return 'Every account'
  if (p.permission_type === 'orgPath') return 'Organization path'
  return 'Account'
}

export async function whitelistPage(view, id) {
  const service = await loadService(view, id)
  if (!service) return
  view.title(`Whitelist of ${serviceLabel(service)}`)
  serviceFrame(view, service, 'whitelist')
  const base = `/v1/{project}/vpc-endpoint-services/${seg(service.id)}/permissions`

  const entries = h('textarea', { name: 'permissions', rows: '3', required: true, spellcheck: 'false', class: 'mono' })
  const description = h('input', { name: 'description', maxlength: '256' })
  const add = h('button', { type: 'submit', class: 'primary' }, 'Add to whitelist')
  const addForm = h(
    'form',
    {
      class: 'form compact',
      onsubmit: async (event) => {
        event.preventDefault()
        clearNotices()
        const list = entries.value.split(/[\s,;]+/).filter(Boolean)
        if (list.length === 0) return entries.focus()
        const body = { permissions: list.map((e) => ({ permission: toPermission(e), ...(description.value.trim() ? { description: description.value.trim() } : {}) })) }
        const added = await busy(add, () => api('POST', `${base}/batch-create`, body))
        if (!added) return
        // A reset, not emptied values: the emptied required box must not show as invalid (:user-invalid).
        addForm.reset()
        await load()
        notify(successNotice(`Added ${added.permissions.length} ${added.permissions.length === 1 ? 'record' : 'records'} to the whitelist.`))
      },
    },
    h('h2', {}, 'Allow accounts'),
    field({ label: 'Account IDs', input: entries, hint: 'One or more, separated by new lines or commas: an account (domain) ID, iam:domain::<ID>, * for every account, or organizations:orgPath::<path>. Your own account can always connect.' }),
    field({ label: 'Description (optional)', input: description }),
    h('div', { class: 'actions' }, add),
  )

  const selected = new Set()
  const removeButton = h('button', { type: 'button', class: 'danger', disabled: true, dataset: { key: 'remove-selected' } }, 'Remove selected')
  const count = h('span', { class: 'selection', 'aria-live': 'polite' })
  const table = h('div', { class: 'table-wrap' })
  let records = []

  const updateSelection = () => {
    for (const id of [...selected]) if (!records.some((r) => r.id === id)) selected.delete(id)
    removeButton.disabled = selected.size === 0
    removeButton.textContent = selected.size > 0 ? `Remove selected (${selected.size})` : 'Remove selected'
    count.textContent = selected.size > 0 ? `${selected.size} of ${records.length} selected` : ''
    const all = table.querySelector('input.select-all')
    if (all) {
      all.checked = records.length > 0 && selected.size === records.length
      all.indeterminate = selected.size > 0 && selected.size < records.length
    }
  }

  const render = (total) => {
    if (records.length === 0) {
      replaceKeepingFocus(table, h('p', { class: 'empty' }, 'The whitelist is empty: only your own account can connect.'))
      return updateSelection()
    }
    const selectAll = h('input', {
      type: 'checkbox',
      class: 'select-all',
      'aria-label': 'Select all records',
      dataset: { key: 'select-all' },
      onchange: (event) => {
        if (event.target.checked) records.forEach((r) => selected.add(r.id))
        else selected.clear()
        table.querySelectorAll('input.select-one').forEach((box) => (box.checked = selected.has(box.value)))
        updateSelection()
      },
    })
    replaceKeepingFocus(
      table,
      cardTable(h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Whitelist records'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'check' }, selectAll), ['Entry', 'Kind', 'Description', 'Added'].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          records.map((r) =>
            h(
              'tr',
              { dataset: { id: r.id } },
              h(
                'td',
                { class: 'check' },
                h('input', {
                  type: 'checkbox',
                  class: 'select-one',
                  value: r.id,
                  checked: selected.has(r.id),
                  'aria-label': `Select ${r.permission}`,
                  dataset: { key: `select:${r.id}` },
                  onchange: (event) => {
                    if (event.target.checked) selected.add(r.id)
                    else selected.delete(r.id)
                    updateSelection()
                  },
                }),
              ),
              h('td', {}, idText(r.permission, { label: 'whitelist entry' })),
              h('td', {}, describePermission(r)),
              h('td', {}, r.description || '—'),
              h('td', {}, time(r.created_at)),
            ),
          ),
        ),
      )),
      total > records.length ? h('p', { class: 'hint' }, `Showing ${records.length} of ${total}.`) : null,
    )
    updateSelection()
  }

  const load = async () => {
    const data = await api('GET', `${base}?limit=500`)
    records = data.permissions
    render(data.total_count)
  }

  removeButton.addEventListener('click', async () => {
    const chosen = records.filter((r) => selected.has(r.id))
    if (chosen.length === 0) return
    const ok = await confirmDialog({
      title: `Remove ${chosen.length} whitelist ${chosen.length === 1 ? 'record' : 'records'}?`,
      body: [
        h('p', {}, 'These entries will no longer be allowed to create new endpoints to this service. Existing connections keep their state.'),
        h('ul', {}, chosen.map((r) => h('li', {}, h('code', {}, r.permission)))),
      ],
      confirmLabel: 'Remove',
      danger: true,
    })
    if (!ok) return
    clearNotices()
    const removed = await busy(removeButton, () => api('POST', `${base}/batch-delete`, { permissions: chosen.map((r) => ({ id: r.id })) }))
    if (!removed) return
    chosen.forEach((r) => selected.delete(r.id))
    await load()
    notify(successNotice(`Removed ${removed.permissions.length} ${removed.permissions.length === 1 ? 'record' : 'records'} from the whitelist.`))
  })

  view.root.append(
    addForm,
    h('section', { 'aria-labelledby': 'records-title' }, h('div', { class: 'section-head' }, h('h2', { id: 'records-title' }, 'Allowed accounts'), h('div', { class: 'toolbar' }, count, removeButton)), table),
  )
  await load()
}
