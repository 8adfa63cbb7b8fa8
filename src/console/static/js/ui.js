// Shared pieces of the console's pages: badges, notices, the confirmation dialog, field rows.
import { h, nextId } from './dom.js'
import { plainSentence } from './errors.js'

const STATUS_LABELS = {
  creating: 'Creating',
  available: 'Available',
  failed: 'Failed',
  deleting: 'Deleting',
  pendingAcceptance: 'Pending acceptance',
  accepted: 'Accepted',
  rejected: 'Rejected',
}

/** A status badge: the word is always there, the colour only repeats it. */
export function badge(status) {
  const busy = status === 'creating' || status === 'deleting'
  return h('span', { class: `badge status-${status}${busy ? ' busy' : ''}`, dataset: { status } }, STATUS_LABELS[status] ?? status)
}

export const statusLabel = (status) => STATUS_LABELS[status] ?? status

/** A UTC wire time shown in the reader's time zone. */
export function time(wire) {
  if (!wire) return '—'
  const date = new Date(wire)
  if (Number.isNaN(date.getTime())) return wire
  return h('time', { datetime: wire, title: wire }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }))
}

/** An error notice: the plain sentence, then what the server said, its code and the request id. */
export function errorNotice(error, context) {
  const details = []
  if (error?.serverMessage) details.push(h('p', { class: 'server-message' }, 'Server message: ', h('q', {}, error.serverMessage)))
  const meta = []
  if (error?.code && error.code !== 'network') meta.push(`Code ${error.code}`)
  if (error?.status) meta.push(`HTTP ${error.status}`)
  if (error?.requestId) meta.push(h('span', {}, 'Request ID ', h('code', {}, error.requestId)))
  return h(
    'div',
    { class: 'notice error', role: 'alert' },
    h('p', { class: 'sentence' }, plainSentence(error, context)),
    details,
    meta.length ? h('p', { class: 'meta' }, meta.flatMap((m, i) => (i ? [' · ', m] : [m]))) : null,
    error instanceof Error && !error.status && error.code === undefined ? h('p', { class: 'meta' }, String(error.message)) : null,
  )
}

export function successNotice(text) {
  return h('div', { class: 'notice success', role: 'status' }, h('p', {}, text))
}

/** Shows `node` in the page's notice area, replacing what was there. */
export function notify(node) {
  const area = document.getElementById('notices')
  if (area) area.replaceChildren(node ?? '')
  else if (node) document.querySelector('main')?.prepend(node)
}

export function clearNotices() {
  document.getElementById('notices')?.replaceChildren()
}

/**
 * A modal confirmation in a native <dialog>: the browser traps focus in it, Escape cancels, and focus
 * returns to where it was. Resolves true when confirmed.
 */
export function confirmDialog({ title, body, confirmLabel, danger = false }) {
  const opener = document.activeElement
  const openerKey = opener instanceof HTMLElement ? opener.dataset.key : undefined
  return new Promise((resolve) => {
    const titleId = nextId('dlg')
    const cancel = h('button', { type: 'submit', value: 'cancel', class: 'secondary' }, 'Cancel')
    const confirm = h('button', { type: 'submit', value: 'confirm', class: danger ? 'danger' : 'primary' }, confirmLabel)
    const dialog = h(
      'dialog',
      { 'aria-labelledby': titleId, class: 'confirm' },
      h('form', { method: 'dialog' }, h('h2', { id: titleId }, title), h('div', { class: 'dialog-body' }, body), h('div', { class: 'actions' }, cancel, confirm)),
    )
    dialog.addEventListener('close', () => {
      dialog.remove()
      const back = opener instanceof HTMLElement && opener.isConnected ? opener : openerKey ? document.querySelector(`[data-key="${CSS.escape(openerKey)}"]`) : null
      if (back instanceof HTMLElement) back.focus()
      resolve(dialog.returnValue === 'confirm')
    })
    document.body.append(dialog)
    dialog.showModal()
    ;(danger ? cancel : confirm).focus()
  })
}

/** A labelled form field; `hint` is tied to the input with aria-describedby. */
export function field({ label, input, hint }) {
  const id = input.id || nextId('in')
  input.id = id
  let hintNode = null
  if (hint) {
    const hintId = `${id}-hint`
    hintNode = h('p', { class: 'hint', id: hintId }, hint)
    input.setAttribute('aria-describedby', hintId)
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hintNode)
}

/** A <dl> of label/value pairs; values may be nodes. */
export function details(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value === '' || value === undefined || value === null ? '—' : value)]))
}

/** Runs `action` with `button` disabled and marked busy; reports a failure in the notice area. */
export async function busy(button, action, context) {
  button.disabled = true
  button.setAttribute('aria-busy', 'true')
  try {
    return await action()
  } catch (error) {
    notify(errorNotice(error, context))
    return undefined
  } finally {
    button.disabled = false
    button.removeAttribute('aria-busy')
  }
}

/** The short name of a service from its full name `{region}.{name}.{id}` (empty when it has none). */
export function shortName(service) {
  const full = service.service_name ?? ''
  const suffix = `.${service.id}`
  const withoutId = full.endsWith(suffix) ? full.slice(0, -suffix.length) : full
  const dot = withoutId.indexOf('.')
  return dot === -1 ? '' : withoutId.slice(dot + 1)
}

export function ports(list) {
  return (list ?? []).map((p) => `${p.client_port} → ${p.server_port}/${p.protocol}`).join(', ')
}

/**
 * An id (or any long machine string) as people need it: monospace, on one line, cut in the middle when
 * the space is short (the start shrinks behind an ellipsis, the last characters stay), the whole value
 * in the tooltip, and a button that copies it.
 */
export function idText(value, { label = 'ID', href } = {}) {
  const text = String(value ?? '')
  if (!text) return '—'
  const tail = text.length > 12 ? text.slice(-8) : ''
  const copy = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${label} ${text}`, title: 'Copy' }, 'Copy')
  copy.addEventListener('click', async (event) => {
    event.preventDefault()
    event.stopPropagation()
    const done = await copyText(text)
    copy.textContent = done ? 'Copied' : 'Select and copy'
    copy.classList.toggle('copied', done)
    setTimeout(() => {
      copy.textContent = 'Copy'
      copy.classList.remove('copied')
    }, 1500)
  })
  return h(
    'span',
    { class: 'id', dataset: { value: text } },
    h(href ? 'a' : 'code', { class: 'id-text', title: text, href, 'aria-label': href ? text : undefined, dataset: href ? { key: `open:${text}` } : undefined }, h('span', { class: 'id-start' }, tail ? text.slice(0, -tail.length) : text), tail ? h('span', { class: 'id-end' }, tail) : null),
    copy,
  )
}

/** Copies through the Clipboard API, or a selected hidden textarea where that API is missing. */
async function copyText(text) {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // Denied (no permission, not focused): try the selection route.
  }
  const area = h('textarea', { class: 'visually-hidden', readonly: true }, text)
  document.body.append(area)
  area.select()
  let done = false
  try {
    done = document.execCommand('copy')
  } catch {
    done = false
  }
  area.remove()
  return done
}

/**
 * A success notice about a resource in a passing state ("…is being created"): `whileStatus` names that
 * state, and `settleNotices` removes the notice once the resource has left it, so no banner contradicts
 * the badge below it.
 */
export function stateNotice(text, whileStatus) {
  const notice = successNotice(text)
  notice.dataset.whileStatus = whileStatus
  return notice
}

/** Removes the notices tied to a state the resource is no longer in. */
export function settleNotices(status) {
  for (const notice of document.querySelectorAll('#notices [data-while-status]')) {
    if (notice instanceof HTMLElement && notice.dataset.whileStatus !== status) notice.remove()
  }
}

/** Gives each cell its column's heading as data-label: narrow screens show rows as labelled cards. */
export function cardTable(table) {
  const headings = [...table.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '')
  for (const row of table.querySelectorAll('tbody tr')) {
    ;[...row.children].forEach((cell, i) => {
      if (headings[i]) cell.setAttribute('data-label', headings[i])
    })
  }
  table.classList.add('cards')
  return table
}

/** "2 accepted", with the pending requests called out: they wait for the provider. */
export function connectionCounts(accepted, pending) {
  return h(
    'span',
    { class: 'counts' },
    `${accepted} accepted`,
    pending > 0 ? [' · ', h('span', { class: 'pending-count', dataset: { pending: String(pending) } }, `${pending} pending`)] : null,
  )
}
