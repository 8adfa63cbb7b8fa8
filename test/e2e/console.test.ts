import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { spawnSync } from 'node:child_process'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { sdkClient, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { loadConfig } from '../../src/config.ts'
import type { DataPlane } from '../../src/dataplane/index.ts'
import { privateRange, startDataplane } from '../helpers/dataplane.ts'

// The browser half drives Debian's Chromium through playwright-core (no browser download). Without
// Chromium it is skipped on a developer's machine, and fails in CI, where .ci/run installs it.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM)
const SKIP_BROWSER = !HAVE_CHROMIUM && !process.env.CI ? `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium); browser tests skipped` : false
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'
/** Where the layout checks leave their screenshots (scripts/console-screenshots.ts refreshes docs/screenshots/). */
const SHOTS = '.tmp/screenshots'

describe('console and reference pages over HTTP', () => {
  let server: TestServer
  before(async () => {
    server = await startServer(await freshDatabaseUrl('sqlite'))
  })
  after(() => server.stop())

  it('serves the console with content types, revalidation and a strict CSP, without credentials', async () => {
    for (const path of ['/console', '/console/', '/console/index.html']) {
      const page = await httpRequest(`${server.url}${path}`)
      assert.equal(page.status, 200, path)
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
      assert.equal(page.headers['cache-control'], 'no-cache')
      assert.match(String(page.headers['content-security-policy']), /default-src 'self'; script-src 'self'/)
      assert.match(page.text, /<script type="module" src="\/console\/js\/app\.js">/)
    }
    const expected: Record<string, string> = {
      '/console/js/app.js': 'text/javascript; charset=utf-8',
      '/console/style.css': 'text/css; charset=utf-8',
      '/console/favicon.svg': 'image/svg+xml',
    }
    for (const [path, type] of Object.entries(expected)) {
      const asset = await httpRequest(`${server.url}${path}`)
      assert.equal(asset.status, 200, path)
      assert.equal(asset.headers['content-type'], type, path)
      assert.equal(asset.headers['x-content-type-options'], 'nosniff')
      const again = await httpRequest(`${server.url}${path}`, { headers: { 'if-none-match': String(asset.headers.etag) } })
      assert.equal(again.status, 304, `${path} revalidates`)
      assert.equal(again.text, '')
    }
  })

  it('serves only its own files: traversal, unknown files and other methods are refused', async () => {
    for (const path of ['/console/../package.json', '/console/..%2f..%2fpackage.json', '/console/%2e%2e/%2e%2e/package.json', '/console/js/../../routes.ts', '/console/routes.ts', '/console//etc/passwd', '/console/nope.js']) {
      const response = await httpRequest(`${server.url}${path}`)
      assert.equal(response.status, 404, path)
      assert.equal(response.json?.error_code, 'EndPoint.0005', path)
      assert.doesNotMatch(response.text, /"dependencies"|consoleRoutes/, path)
    }
    // A path that does not even decode is refused before any lookup.
    assert.equal((await httpRequest(`${server.url}/console/%ZZ`)).status, 400)
    const post = await httpRequest(`${server.url}/console/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    assert.equal(post.status, 405)
    assert.match(String(post.headers.allow), /GET/)
  })

  it('renders the API reference at /docs from the OpenAPI document, with nothing from elsewhere', async () => {
    const page = await httpRequest(`${server.url}/docs`)
    assert.equal(page.status, 200)
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/)
    const document = (await httpRequest(`${server.url}/openapi.json`)).json as { paths: Record<string, Record<string, { operationId: string }>> }
    for (const [path, item] of Object.entries(document.paths)) {
      for (const operation of Object.values(item)) {
        assert.ok(page.text.includes(`>${operation.operationId}<`), `${operation.operationId} is listed`)
        assert.ok(page.text.includes(path.replace(/&/g, '&amp;')), `${path} is shown`)
      }
    }
    // Field-level error codes from the x-vpcep-error annotations, and the catalog they link to.
    assert.match(page.text, /href="#error-endpoint-3043"><code>EndPoint\.3043<\/code><\/a> — <code>ports\[\]\.client_port<\/code>/)
    assert.match(page.text, /<tr id="error-endpoint-3043"><td><code>EndPoint\.3043<\/code><\/td><td>400<\/td>/)
    assert.match(page.text, /<h2 id="tag-whitelist-title">Whitelist<\/h2>/)
    assert.doesNotMatch(page.text, /(src|href)="(https?:)?\/\//, 'no third-party resources')
    assert.doesNotMatch(page.text, /<script/, 'no script at all')
    assert.match(page.text, /<link rel="icon" href="\/console\/favicon\.svg" type="image\/svg\+xml">/, 'the console\'s favicon, so the browser asks for no /favicon.ico')
    assert.equal((await httpRequest(`${server.url}/docs/`)).status, 200)
  })

  it('keeps the pages out of the OpenAPI document', async () => {
    const document = (await httpRequest(`${server.url}/openapi.json`)).json as { paths: Record<string, unknown> }
    assert.deepEqual(Object.keys(document.paths).filter((p) => p.startsWith('/console') || p.startsWith('/docs')), [])
  })
})

/** A link of the header's main navigation. */
const navLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })

/** The table row of one resource, by the data-id the console puts on it. */
const row = (page: Page, id: string) => page.locator(`tr[data-id="${id}"]`)

async function signIn(page: Page, account: Pick<NewAccount, 'domainName' | 'userName'>, password: string) {
  await page.getByLabel('Account name').fill(account.domainName)
  await page.getByLabel('User name').fill(account.userName)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** Marks the page; `stillSamePage` later proves no navigation or reload happened in between. */
const markPage = (page: Page) => page.evaluate(() => ((window as unknown as { consoleMark: boolean }).consoleMark = true))
const stillSamePage = (page: Page) => page.evaluate(() => (window as unknown as { consoleMark?: boolean }).consoleMark === true)

async function confirmIn(page: Page, button: string) {
  const dialog = page.locator('dialog[open]')
  await dialog.waitFor()
  await dialog.getByRole('button', { name: button, exact: true }).click()
  await dialog.waitFor({ state: 'detached' })
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? ''
}

/**
 * The page as it is now at 1280 px and at 420 px wide: nothing may make the page itself scroll sideways
 * (tables become cards or scroll inside their own box). Leaves a screenshot of each width in SHOTS.
 */
async function checkLayout(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true })
  const original = page.viewportSize() ?? { width: 1280, height: 800 }
  try {
    for (const width of [1280, 420]) {
      await page.setViewportSize({ width, height: 800 })
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
      const overflow = await page.evaluate(() => {
        const root = document.documentElement
        const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1 && !e.closest('.table-wrap, .visually-hidden, dialog'))
        return { scroll: root.scrollWidth, client: root.clientWidth, culprits: wide.slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`) }
      })
      assert.ok(overflow.scroll <= overflow.client, `${name} at ${width} px: the page is ${overflow.scroll} px wide in a ${overflow.client} px window (${overflow.culprits.join(', ')})`)
      await page.screenshot({ path: `${SHOTS}/${name}-${width}.png` })
    }
  } finally {
    await page.setViewportSize(original)
  }
}

for (const dialect of dialects()) {
  describe(`web console in Chromium [${dialect}]`, { skip: SKIP_BROWSER }, () => {
    let server: TestServer
    let dataplane: DataPlane | undefined
    let browser: Browser
    let providerContext: BrowserContext
    let consumerContext: BrowserContext
    let provider: NewAccount
    let consumer: NewAccount
    let consumerSdk: TestVpcepClient
    let providerSdk: TestVpcepClient
    let page: Page
    let consumerPage: Page
    let serviceId: string
    let serviceName: string
    let firstEndpoint: string
    let secondEndpoint: string
    const others = ['0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'f9e8d7c6b5a4938271605f4e3d2c1b0a']

    before(async () => {
      if (!HAVE_CHROMIUM) throw new Error(`Chromium is missing at ${CHROMIUM}; in CI .ci/run installs Debian's chromium package`)
      const { chromium } = await import('playwright-core')
      // Default settings: creates and deletes finish right after they commit, as with `npm start`.
      const url = await freshDatabaseUrl(dialect)
      server = await startServer(url, { dataplane: { ...loadConfig({ VPCEP_DATABASE_URL: url }).dataplane, addressRange: privateRange() } })
      dataplane = (await startDataplane(server)).plane
      provider = await server.account('provider')
      consumer = await server.account('consumer')
      providerSdk = sdkClient(server.url, provider)
      consumerSdk = sdkClient(server.url, consumer)
      browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS })
      providerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      consumerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      providerContext.setDefaultTimeout(8000)
      consumerContext.setDefaultTimeout(8000)
      page = await providerContext.newPage()
      consumerPage = await consumerContext.newPage()
    })
    after(async () => {
      await browser?.close()
      await dataplane?.stop()
      await server?.stop()
    })

    it('refuses a wrong password with a plain sentence, the code and the request id', async () => {
      await page.goto(`${server.url}/console/`)
      await signIn(page, provider, 'not-the-password')
      const alert = page.getByRole('alert')
      await alert.waitFor()
      const text = await textOf(alert)
      assert.match(text, /The account name, user name or password is not correct\./)
      assert.match(text, /Code EndPoint\.0003 · HTTP 401 · Request ID [0-9a-f]{32}/)
      assert.equal(await page.evaluate(() => sessionStorage.length), 0)
    })

    it('signs in with account, user name and password, keeping only a token', async () => {
      await signIn(page, provider, provider.password)
      await page.getByRole('heading', { name: 'Endpoint services', level: 1 }).waitFor()
      await page.getByText('No endpoint services yet').waitFor()
      const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }))
      assert.match(stored, /vpcep1\./, 'the token')
      assert.ok(stored.includes(provider.projectId), 'the project from token.project.id')
      assert.ok(!stored.includes(provider.password) && !stored.includes(provider.secretKey) && !stored.includes(provider.accessKey), 'no password or keys')
    })

    it('creates an endpoint service and shows it available', async () => {
      await page.getByRole('link', { name: 'Create endpoint service' }).click()
      await page.getByLabel('Name (optional)').fill('web')
      await page.getByLabel('Client port 1').fill('443')
      await page.getByLabel('Server port 1').fill('8443')
      await page.getByRole('button', { name: 'Create endpoint service' }).click()
      await page.getByRole('heading', { name: 'web', level: 1 }).waitFor()
      await markPage(page)
      await page.locator('.head-status [data-status="available"]').waitFor()
      // The "is being created" banner goes once the badge says Available.
      await page.getByRole('status').filter({ hasText: 'is being created' }).waitFor({ state: 'detached' })
      assert.ok(await stillSamePage(page))
      serviceId = (await textOf(page.locator('dt:text-is("Service ID") + dd .id-text'))).trim()
      const service = await providerSdk.listServiceDetails(serviceId)
      assert.equal(service.status, 'available')
      assert.deepEqual(service.ports, [{ client_port: 443, server_port: 8443, protocol: 'TCP' }])
      serviceName = service.service_name
      assert.equal((await textOf(page.locator('dt:text-is("Full service name") + dd .id-text'))).trim(), serviceName)
      assert.equal(await page.locator('dt:text-is("Full service name") + dd .id-text').getAttribute('title'), serviceName)

      // Ids are monospace, on one line, and copied whole by their button.
      const idBox = page.locator('dt:text-is("Full service name") + dd .id-text')
      assert.match(await idBox.evaluate((e) => getComputedStyle(e).fontFamily), /mono/i)
      assert.equal(await idBox.evaluate((e) => getComputedStyle(e).whiteSpace), 'nowrap')
      await providerContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
      await page.getByRole('button', { name: `Copy full service name ${serviceName}` }).click()
      await page.getByRole('button', { name: `Copy full service name ${serviceName}` }).filter({ hasText: 'Copied' }).waitFor()
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), serviceName)
      await checkLayout(page, 'service-detail')
    })

    it('shows API errors in plain words with the server message and request id', async () => {
      await page.getByRole('link', { name: 'Whitelist', exact: true }).click()
      await page.getByLabel('Account IDs').fill('iam:domain::not valid!')
      await page.getByRole('button', { name: 'Add to whitelist' }).click()
      const alert = page.getByRole('alert')
      await alert.waitFor()
      const text = await textOf(alert)
      assert.match(text, /A whitelist entry is not valid\./)
      assert.match(text, /Server message: .*Invalid permission\./)
      assert.match(text, /Code EndPoint\.3002 · HTTP 400 · Request ID [0-9a-f]{32}/)
    })

    it('adds the consumer and two more accounts to the whitelist', async () => {
      await page.getByLabel('Account IDs').fill([consumer.domainId, ...others].join('\n'))
      await page.getByLabel('Description (optional)').fill('partners')
      await page.getByRole('button', { name: 'Add to whitelist' }).click()
      await page.getByRole('status').filter({ hasText: 'Added 3 records to the whitelist.' }).waitFor()
      assert.equal(await page.locator('tbody tr').count(), 3)
      // Emptied for the next entry, and not marked invalid for being empty.
      assert.equal(await page.getByLabel('Account IDs').inputValue(), '')
      assert.equal(await page.locator('form :user-invalid').count(), 0)
      await checkLayout(page, 'whitelist')
      const listed = await providerSdk.listServicePermissionsDetails(serviceId)
      assert.deepEqual(listed.permissions.map((p: { permission: string }) => p.permission).sort(), [consumer.domainId, ...others].map((id) => `iam:domain::${id}`).sort())
    })

    it('lets the consumer create an endpoint in its console, by the full service name', async () => {
      await consumerPage.goto(`${server.url}/console/#/endpoints`)
      await signIn(consumerPage, consumer, consumer.password)
      await consumerPage.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor()
      await consumerPage.getByRole('link', { name: 'Create endpoint' }).click()
      await consumerPage.getByLabel('Endpoint service').fill(serviceName)
      await consumerPage.getByRole('button', { name: 'Create endpoint' }).click()
      await consumerPage.getByRole('heading', { name: /^Endpoint / }).waitFor()
      await markPage(consumerPage)
      await consumerPage.locator('.head-status [data-status="pendingAcceptance"]').waitFor()
      await consumerPage.getByRole('status').filter({ hasText: 'is being created' }).waitFor({ state: 'detached' })
      firstEndpoint = (await textOf(consumerPage.locator('h1 code'))).trim()
      assert.equal((await consumerSdk.listEndpointInfoDetails(firstEndpoint)).status, 'pendingAcceptance')
      await checkLayout(consumerPage, 'endpoint-detail')
    })

    it('counts and highlights the pending request in the list, the overview and the Connections tab', async () => {
      await navLink(page, 'Endpoint services').click()
      await row(page, serviceId).locator('.pending-count').filter({ hasText: '1 pending' }).waitFor()
      assert.equal(await row(page, serviceId).getAttribute('data-pending'), 'true')
      await page.locator('.notice.pending').filter({ hasText: '1 connection request waits for your approval.' }).waitFor()
      await checkLayout(page, 'services')
      await page.getByRole('link', { name: 'web', exact: true }).click()
      await page.locator('dt:text-is("Connections") + dd .pending-count').filter({ hasText: '1 pending' }).waitFor()
      const tab = page.getByRole('navigation', { name: 'Service sections' }).getByRole('link', { name: /^Connections/ })
      await tab.locator('.tab-count').filter({ hasText: '1' }).waitFor()
    })

    it('accepts the connection in the provider console; both consoles update without a reload', async () => {
      await page.getByRole('navigation', { name: 'Service sections' }).getByRole('link', { name: /^Connections/ }).click()
      await row(page, firstEndpoint).locator('[data-status="pendingAcceptance"]').waitFor()
      await checkLayout(page, 'connections')
      await markPage(page)
      const accept = page.getByRole('button', { name: `Accept endpoint ${firstEndpoint}` })

      // Keyboard: the confirmation is a modal <dialog> holding focus; Escape cancels and gives focus back.
      await accept.focus()
      await page.keyboard.press('Enter')
      await page.locator('dialog[open]').waitFor()
      assert.ok(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]'))), 'focus is in the dialog')
      await page.keyboard.press('Escape')
      await page.locator('dialog').waitFor({ state: 'detached' })
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Accept endpoint ${firstEndpoint}`)
      assert.equal((await providerSdk.listServiceConnections(serviceId)).connections[0].status, 'pendingAcceptance', 'cancel changed nothing')

      await accept.click()
      await confirmIn(page, 'Accept')
      await row(page, firstEndpoint).locator('[data-status="accepted"]').waitFor()
      await page.getByRole('status').filter({ hasText: 'is now accepted' }).waitFor()
      await page.getByRole('navigation', { name: 'Service sections' }).locator('.tab-count').waitFor({ state: 'hidden' })
      await consumerPage.locator('.head-status [data-status="accepted"]').waitFor()
      // The data plane's block: where the accepted endpoint forwards, and its counters.
      await consumerPage.locator('[data-key="forwarding"]').filter({ hasText: /forwarding 127\.\d+\.\d+\.\d+:\d+ → 127\.0\.0\.1:\d+ \(TCP\)/ }).waitFor()
      assert.match(await textOf(consumerPage.locator('[data-key="forwarding"]')), /0 live connections · 0 in all/)
      assert.ok(await stillSamePage(page))
      assert.ok(await stillSamePage(consumerPage))
    })

    it('rejects the accepted connection', async () => {
      await page.getByRole('button', { name: `Reject endpoint ${firstEndpoint}` }).click()
      await confirmIn(page, 'Reject')
      await row(page, firstEndpoint).locator('[data-status="rejected"]').waitFor()
      assert.equal((await consumerSdk.listEndpointInfoDetails(firstEndpoint)).status, 'rejected')
      await consumerPage.locator('.head-status [data-status="rejected"]').waitFor()
    })

    it('shows a new connection made through the API, pending first, without a reload', async () => {
      const created = await consumerSdk.createEndpoint({ endpoint_service_id: serviceId, vpc_id: VPC, subnet_id: SUBNET })
      secondEndpoint = created.id
      await row(page, secondEndpoint).locator('[data-status="pendingAcceptance"]').waitFor()
      assert.deepEqual(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id)), [secondEndpoint, firstEndpoint])
      assert.match(await textOf(page.locator('.summary')), /1 pending · 0 accepted · 2 in all/)
      assert.ok(await stillSamePage(page))
    })

    it('removes two whitelist records at once with one batch-delete call', async () => {
      const batchCalls: string[] = []
      page.on('request', (request) => {
        if (request.url().endsWith('/permissions/batch-delete')) batchCalls.push(request.postData() ?? '')
      })
      await page.getByRole('link', { name: 'Whitelist', exact: true }).click()
      await page.getByRole('checkbox', { name: `Select iam:domain::${others[0]}` }).check()
      await page.getByRole('checkbox', { name: `Select iam:domain::${others[1]}` }).check()
      await page.getByRole('button', { name: 'Remove selected (2)' }).click()
      const dialog = page.locator('dialog[open]')
      await dialog.waitFor()
      assert.match(await textOf(dialog), /Remove 2 whitelist records\?/)
      await confirmIn(page, 'Remove')
      await page.getByRole('status').filter({ hasText: 'Removed 2 records from the whitelist.' }).waitFor()
      assert.equal(await page.locator('tbody tr').count(), 1)
      assert.equal(batchCalls.length, 1)
      assert.equal(JSON.parse(batchCalls[0]!).permissions.length, 2)
      const listed = await providerSdk.listServicePermissionsDetails(serviceId)
      assert.deepEqual(listed.permissions.map((p: { permission: string }) => p.permission), [`iam:domain::${consumer.domainId}`])
      assert.ok(await page.getByRole('button', { name: 'Remove selected' }).isDisabled())
    })

    it('shows the quotas as used/limit bars', async () => {
      await navLink(page, 'Quotas').click()
      const services = page.locator('li[data-type="endpoint_service"]')
      await services.waitFor()
      await checkLayout(page, 'quotas')
      assert.match(await textOf(services), /Endpoint services\s*1 of 20 used/)
      assert.equal(await services.getByRole('meter').getAttribute('aria-valuenow'), '1')
    })

    it('deletes an endpoint from the consumer console', async () => {
      await navLink(consumerPage, 'Endpoints').click()
      await row(consumerPage, secondEndpoint).waitFor()
      await checkLayout(consumerPage, 'endpoints')
      await consumerPage.getByRole('link', { name: secondEndpoint }).click()
      await consumerPage.getByRole('button', { name: 'Delete endpoint' }).click()
      await confirmIn(consumerPage, 'Delete')
      await consumerPage.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor()
      await consumerPage.getByRole('status').filter({ hasText: `Endpoint ${secondEndpoint} is being deleted.` }).waitFor()
      await row(consumerPage, secondEndpoint).waitFor({ state: 'detached' })
      await row(consumerPage, firstEndpoint).waitFor()
    })

    it('leaves an endpoint page for the list, saying why, once the endpoint is deleted elsewhere', async () => {
      const third = await consumerSdk.createEndpoint({ endpoint_service_id: serviceId, vpc_id: VPC, subnet_id: SUBNET })
      await navLink(consumerPage, 'Endpoints').click()
      await consumerPage.getByRole('link', { name: third.id }).click()
      await consumerPage.getByRole('heading', { name: `Endpoint ${third.id}`, level: 1 }).waitFor()
      await consumerSdk.deleteEndpoint(third.id)
      // Polls are 2 s apart, and the first after the delete may still see it deleting.
      await consumerPage.getByRole('status').filter({ hasText: `Endpoint ${third.id} no longer exists.` }).waitFor({ timeout: 15_000 })
      await consumerPage.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor()
    })

    it('deletes the service from the provider console', async () => {
      await navLink(page, 'Endpoint services').click()
      await page.getByRole('link', { name: 'web' }).click()
      await page.getByRole('button', { name: 'Delete endpoint service' }).click()
      await confirmIn(page, 'Delete')
      await page.getByRole('heading', { name: 'Endpoint services', level: 1 }).waitFor()
      await page.getByText('No endpoint services yet').waitFor()
    })

    it('asks to sign in again when the server no longer accepts the token', async () => {
      await page.evaluate(() => {
        const key = Object.keys(sessionStorage)[0]!
        sessionStorage.setItem(key, JSON.stringify({ ...JSON.parse(sessionStorage.getItem(key)!), token: 'vpcep1.revoked' }))
      })
      // Through the address bar, not the link: a live update may already have met the revoked token and
      // shown the sign-in page, and the next page must be the quotas either way.
      await page.evaluate(() => (location.hash = '#/quotas'))
      await page.getByRole('alert').filter({ hasText: 'Your session has ended. Sign in again to continue.' }).waitFor()
      await signIn(page, provider, provider.password)
      await page.getByRole('heading', { name: 'Quotas', level: 1 }).waitFor()
    })

    it('signs out, forgetting the token', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('heading', { name: 'Sign in to vpcep' }).waitFor()
      assert.equal(await page.evaluate(() => sessionStorage.length), 0)
    })

    it('signs in again with the password "vpcep accounts reset-password" prints, and not with the old one', async () => {
      // The operator's command works on the database; the server keeps running.
      const reset = spawnSync(process.execPath, ['bin/vpcep.js', 'accounts', 'reset-password', provider.domainName, '--json'], { env: { ...process.env, VPCEP_DATABASE_URL: server.config.databaseUrl }, encoding: 'utf8' })
      assert.equal(reset.status, 0, reset.stderr)
      const { password } = JSON.parse(reset.stdout) as { password: string }
      await signIn(page, provider, provider.password)
      await page.getByRole('alert').filter({ hasText: 'The account name, user name or password is not correct.' }).waitFor()
      await signIn(page, provider, password)
      await page.getByRole('heading', { name: 'Endpoint services', level: 1 }).waitFor()
    })
  })
}
