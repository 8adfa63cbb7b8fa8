// Live updates: the project's changes as server-sent events from /vpcep-ext/v1/{project}/events/stream,
// read with fetch (EventSource cannot send the token header). Pages follow changes through `follower`
// instead of polling; only while the stream is down do they poll every 2 s.
import { h } from './dom.js'
import { getSession } from './api.js'
import { notify } from './ui.js'

const FALLBACK_POLL_MS = 2000
const RECONNECT_MS = [500, 1000, 2000, 5000, 10000]

const listeners = new Set()
let controller = null
let connected = false
let failures = 0
let retryTimer

export function liveConnected() {
  return connected
}

/** Calls `listener(change)` for every change; answers the function that stops it. */
export function onLiveChange(listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function emit(change) {
  for (const listener of [...listeners]) listener(change)
}

function setConnected(value) {
  if (connected === value) return
  connected = value
  document.documentElement.dataset.live = value ? 'on' : 'off'
  // Pages catch up on what they may have missed while the stream was down.
  if (value) emit({ type: 'stream.connected' })
}

/** Splits an SSE byte stream into events; calls `onEvent(name, data)` for each. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += value
    let end
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '')
      let name = 'message'
      const data = []
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) name = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (data.length) onEvent(name, data.join('\n'))
    }
  }
}

/** Opens the stream for the signed-in session (once); reconnects with backoff while signed in. */
export function startLive() {
  if (controller) return
  const session = getSession()
  if (!session) return
  controller = new AbortController()
  const mine = controller
  const url = `/vpcep-ext/v1/${encodeURIComponent(session.projectId)}/events/stream`
  fetch(url, { headers: { 'x-auth-token': session.token, accept: 'text/event-stream' }, signal: mine.signal, cache: 'no-store' })
    .then(async (response) => {
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      failures = 0
      setConnected(true)
      await readEvents(response.body, (name, data) => {
        if (name !== 'change') return
        try {
          emit(JSON.parse(data))
        } catch {
          // A malformed line is skipped; the next change still arrives.
        }
      })
    })
    .catch(() => {})
    .finally(() => {
      if (controller !== mine) return
      controller = null
      setConnected(false)
      if (!getSession()) return
      retryTimer = setTimeout(startLive, RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)])
    })
}

export function stopLive() {
  clearTimeout(retryTimer)
  const open = controller
  controller = null
  open?.abort()
  setConnected(false)
}

/**
 * Runs `probe` when the project changes (a burst of changes runs it once), when the stream reconnects, and
 * when the tab becomes visible again; every 2 s only while the stream is down. The page has just read what
 * it shows; `catchUp` says a change arrived since it began that read, so `probe` runs once at the start too.
 */
export function follower(probe, { catchUp }) {
  let stopped = false
  let running = false
  let again = false
  let soon
  let fallback
  const run = async () => {
    clearTimeout(soon)
    if (stopped || document.visibilityState !== 'visible') return
    if (running) {
      again = true
      return
    }
    running = true
    try {
      await probe()
    } catch {
      // The page shows its own errors; the next change or poll tries again.
    } finally {
      running = false
    }
    if (again && !stopped) {
      again = false
      run()
    }
  }
  const schedule = () => {
    clearTimeout(soon)
    soon = setTimeout(run, 50)
  }
  const pollWhileDown = () => {
    clearTimeout(fallback)
    if (stopped) return
    if (!connected) run()
    fallback = setTimeout(pollWhileDown, FALLBACK_POLL_MS)
  }
  const onVisible = () => document.visibilityState === 'visible' && run()
  const unlisten = onLiveChange(schedule)
  document.addEventListener('visibilitychange', onVisible)
  fallback = setTimeout(pollWhileDown, FALLBACK_POLL_MS)
  if (catchUp) schedule()
  return () => {
    stopped = true
    clearTimeout(soon)
    clearTimeout(fallback)
    unlisten()
    document.removeEventListener('visibilitychange', onVisible)
  }
}

/** A new connection request to one of the project's services: say so at once, wherever the user is. */
onLiveChange((change) => {
  if (change.type !== 'connection.pendingAcceptance' || !change.service_owner || !change.endpoint_service_id) return
  const href = `#/services/${encodeURIComponent(change.endpoint_service_id)}/connections`
  if (location.hash === href) return // the list itself shows it
  notify(
    h(
      'div',
      { class: 'notice info live-request', role: 'status' },
      h('p', { class: 'sentence' }, `New connection request from endpoint ${change.resource_id}. `, h('a', { href }, 'Review the connections')),
    ),
  )
})
