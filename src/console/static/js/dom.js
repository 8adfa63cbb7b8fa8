// A tiny DOM helper: h('tag', { attributes, onEvent }, ...children). No virtual DOM, no build step.

/**
 * Creates an element. Props: `class`, any attribute (true → present, false/null/undefined → absent),
 * `on<event>` functions as listeners, and `dataset` as data-* attributes. Children: nodes, strings,
 * numbers, arrays of them; null, undefined and false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value)
    else if (name === 'dataset') Object.assign(element.dataset, value)
    else if (name === 'value' && 'value' in element) element.value = value
    else if (name === 'checked' || name === 'selected') element[name] = Boolean(value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  append(element, children)
  return element
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.append(child instanceof Node ? child : String(child))
  }
}

/** A DocumentFragment of the children. */
export function fragment(...children) {
  const f = document.createDocumentFragment()
  append(f, children)
  return f
}

let uid = 0
/** A document-unique id for label/aria wiring. */
export function nextId(prefix = 'f') {
  return `${prefix}-${++uid}`
}

/**
 * Replaces the content of `container`, keeping keyboard focus on the element with the same
 * `data-key` if there was one: polled views re-render without throwing the user's focus away.
 */
export function replaceKeepingFocus(container, ...children) {
  const active = document.activeElement
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.key : undefined
  container.replaceChildren(fragment(...children))
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`)
    if (again instanceof HTMLElement) again.focus()
  }
}

/**
 * Wraps `render` so that it runs only when its data differs from what it last drew: polled views then
 * touch the page (and the user's focus) only when something changed. Answers whether it rendered;
 * `forget()` makes the next call draw whatever it gets.
 */
export function whenChanged(render) {
  let last = ''
  const draw = (data) => {
    const snapshot = JSON.stringify(data)
    if (snapshot === last) return false
    last = snapshot
    render(data)
    return true
  }
  draw.forget = () => {
    last = ''
  }
  return draw
}

/** A random RFC 4122 version 4 UUID (also outside secure contexts, where crypto.randomUUID is missing). */
export function uuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
