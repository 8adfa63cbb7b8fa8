// The console shell: sign-in, the header and navigation, a hash router, and live updates (live.js) for
// pages that watch something change.
import { h } from './dom.js'
import { api, ApiError, clearSession, getSession, onSessionExpired, signIn } from './api.js'
import { busy, clearNotices, errorNotice, field, notify } from './ui.js'
import { serviceListPage, serviceCreatePage, serviceDetailPage } from './services.js'
import { whitelistPage } from './whitelist.js'
import { connectionsPage } from './connections.js'
import { endpointListPage, endpointCreatePage, endpointDetailPage } from './endpoints.js'
import { quotasPage } from './quotas.js'
import { follower, onLiveChange, startLive, stopLive } from './live.js'

const ROUTES = [
  [/^\/services$/, serviceListPage, 'services'],
  [/^\/services\/new$/, serviceCreatePage, 'services'],
  [/^\/services\/([^/]+)$/, serviceDetailPage, 'services'],
  [/^\/services\/([^/]+)\/whitelist$/, whitelistPage, 'services'],
  [/^\/services\/([^/]+)\/connections$/, connectionsPage, 'services'],
  [/^\/endpoints$/, endpointListPage, 'endpoints'],
  [/^\/endpoints\/new$/, endpointCreatePage, 'endpoints'],
  [/^\/endpoints\/([^/]+)$/, endpointDetailPage, 'endpoints'],
  [/^\/quotas$/, quotasPage, 'quotas'],
]

const NAV = [
  ['services', '#/services', 'Endpoint services'],
  ['endpoints', '#/endpoints', 'Endpoints'],
  ['quotas', '#/quotas', 'Quotas'],
]

const app = document.getElementById('app')
let current = { stop() {} }
let signInMessage = null
/** A notice to show on the next page (e.g. "deleted" after leaving the deleted item's page). */
let flash = null

function header(session, section) {
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/services' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '⇄'), ' vpcep console'),
    h(
      'nav',
      { 'aria-label': 'Main' },
      h('ul', {}, NAV.map(([key, href, label]) => h('li', {}, h('a', { href, 'aria-current': key === section ? 'page' : undefined }, label))), h('li', {}, h('a', { href: '/docs' }, 'API reference'))),
    ),
    h(
      'div',
      { class: 'who' },
      h('span', { title: `Account ID ${session.accountId} · project ${session.projectId}` }, h('strong', {}, session.accountName), ` / ${session.userName}`, h('span', { class: 'project' }, ` · ${session.projectName}`)),
      h('button', { type: 'button', class: 'secondary small', onclick: signOut }, 'Sign out'),
    ),
  )
}

function signOut() {
  stopLive()
  clearSession()
  signInMessage = null
  location.hash = '#/services'
  render()
}

function signInPage() {
  document.title = 'Sign in — vpcep console'
  const account = h('input', { name: 'account', required: true, autocomplete: 'organization', spellcheck: 'false', autocapitalize: 'off' })
  const user = h('input', { name: 'user', required: true, autocomplete: 'username', spellcheck: 'false', autocapitalize: 'off' })
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' })
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in')
  const form = h(
    'form',
    {
      class: 'signin',
      onsubmit: async (event) => {
        event.preventDefault()
        clearNotices()
        const done = await busy(submit, () => signIn({ accountName: account.value.trim(), userName: user.value.trim(), password: password.value }), {
          'EndPoint.0003': 'The account name, user name or password is not correct.',
          'EndPoint.0004': 'This user has no project to sign in to.',
        })
        if (done) {
          signInMessage = null
          render()
        } else {
          password.select()
          password.focus()
        }
      },
    },
    field({ label: 'Account name', input: account, hint: 'The account (domain) name, e.g. the name given to "vpcep accounts create".' }),
    field({ label: 'User name', input: user }),
    field({ label: 'Password', input: password }),
    submit,
  )
  const main = h(
    'main',
    { id: 'main', class: 'signin-page' },
    h('div', { class: 'card' }, h('h1', { tabindex: '-1' }, 'Sign in to vpcep'), h('div', { id: 'notices' }), form, h('p', { class: 'hint' }, 'You stay signed in in this tab until you sign out or close it. The console keeps only a token, never your secret key.'),
      h('p', { class: 'hint' }, 'Forgot the password? The operator gives you a new one with ', h('code', {}, 'vpcep accounts reset-password <account>'), '.')),
  )
  app.replaceChildren(main)
  if (signInMessage) notify(signInMessage)
  account.focus()
}

async function render() {
  current.stop()
  const session = getSession()
  if (!session) return signInPage()
  startLive()

  const path = (location.hash.replace(/^#/, '').split('?')[0] || '/services').replace(/\/+$/, '') || '/services'
  const route = ROUTES.find(([pattern]) => pattern.test(path))
  const section = route?.[2] ?? ''
  const content = h('div', { class: 'page' })
  app.replaceChildren(h('a', { class: 'skip', href: '#main', onclick: skipToMain }, 'Skip to content'), header(session, section), h('main', { id: 'main', tabindex: '-1' }, h('div', { id: 'notices' }), content))

  if (flash) {
    notify(flash)
    flash = null
  }
  const stops = []
  let stopped = false
  // Listening starts before the page's first read, so a page re-reads only when something did change.
  let changedSinceOpened = false
  stops.push(onLiveChange(() => (changedSinceOpened = true)))
  current = {
    stop() {
      stopped = true
      for (const stop of stops) stop()
    },
  }
  const view = {
    root: content,
    get active() {
      return !stopped
    },
    /** Runs `probe` whenever the project changes (live.js), so the page shows what is now. */
    poll(probe) {
      if (!stopped) stops.push(follower(probe, { catchUp: changedSinceOpened }))
    },
    /** Follows the resource at `path` for `show`; once it answers 404, goes to `hash` with `notice` (deleted elsewhere). */
    follow(path, show, { hash, notice }) {
      view.poll(async () => {
        try {
          const fresh = await api('GET', path)
          if (view.active) show(fresh)
        } catch (error) {
          if (error instanceof ApiError && error.status === 404 && view.active) view.go(hash, notice)
          else throw error
        }
      })
    },
    title(text) {
      document.title = `${text} — vpcep console`
    },
    go(hash, notice) {
      flash = notice ?? null
      location.hash = hash
    },
  }
  if (!route) {
    view.title('Not found')
    content.append(h('h1', { tabindex: '-1' }, 'Page not found'), h('p', {}, h('a', { href: '#/services' }, 'Go to the endpoint services')))
  } else {
    const params = path.match(route[0]).slice(1).map(decodeURIComponent)
    try {
      await route[1](view, ...params)
    } catch (error) {
      if (!stopped) notify(errorNotice(error))
    }
  }
  // Move focus to the new page's heading so keyboard and screen-reader users start there.
  if (!stopped && !content.contains(document.activeElement)) content.querySelector('h1')?.focus({ preventScroll: true })
}

function skipToMain(event) {
  event.preventDefault()
  document.getElementById('main')?.focus()
}

onSessionExpired(() => {
  signInMessage = h('div', { class: 'notice error', role: 'alert' }, h('p', { class: 'sentence' }, 'Your session has ended. Sign in again to continue.'))
  current.stop()
  stopLive()
  signInPage()
})

window.addEventListener('hashchange', () => render())
render()
