import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { ApiClient, availableServiceOf, expectStatus } from '../helpers/api-client.ts'
import { signedRequest } from '../helpers/signed.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM)
const SKIP_BROWSER = !HAVE_CHROMIUM && !process.env.CI ? `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium); browser tests skipped` : false
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** An IAM token for `account`, as the console gets one. */
async function tokenOf(url: string, account: NewAccount): Promise<string> {
  const res = await fetch(`${url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: account.domainName } } } }, scope: { project: { id: account.projectId } } } }),
  })
  return res.headers.get('x-subject-token')!
}

/** Opens a project's live stream and collects its `change` events. */
function openStream(url: string, projectId: string, token: string): Promise<{ status: number; changes: any[]; close(): void }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/vpcep-ext/v1/${projectId}/events/stream`, { headers: { 'x-auth-token': token } }, (response) => {
      const changes: any[] = []
      let buffer = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffer += chunk
        let end
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = /^data: (.*)$/m.exec(block)
          if (/^event: change$/m.test(block) && data) changes.push(JSON.parse(data[1]!))
        }
      })
      response.on('error', () => {})
      resolve({ status: response.statusCode ?? 0, changes, close: () => request.destroy() })
    })
    request.on('error', reject)
  })
}

for (const dialect of dialects()) {
  describe(`the live stream of a project's changes [${dialect}]`, () => {
    let server: TestServer
    let provider: NewAccount
    let consumer: NewAccount
    let stranger: NewAccount

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      ;[provider, consumer, stranger] = await Promise.all([server.account('provider'), server.account('consumer'), server.account('stranger')])
    })
    after(() => server.stop())

    it('tells the provider and the consumer of a connection, and no one else', async () => {
      const p = new ApiClient(server.url, provider)
      const service = await availableServiceOf(p)
      expectStatus(await p.addPermissions(service.id, [`iam:domain::${consumer.domainId}`]), 200, 'whitelist')
      const streams = await Promise.all([provider, consumer, stranger].map(async (a) => openStream(server.url, a.projectId, await tokenOf(server.url, a))))
      const [ofProvider, ofConsumer, ofStranger] = streams as [Awaited<ReturnType<typeof openStream>>, Awaited<ReturnType<typeof openStream>>, Awaited<ReturnType<typeof openStream>>]
      try {
        assert.deepEqual(streams.map((s) => s.status), [200, 200, 200])
        const endpoint = expectStatus(await new ApiClient(server.url, consumer).createEndpoint(service.id), 200, 'create endpoint')
        const request = await eventually(async () => ofProvider.changes.find((c) => c.type === 'connection.pendingAcceptance'), 'the provider hears of the request')
        assert.deepEqual({ ...request, occurred_at: typeof request.occurred_at }, { type: 'connection.pendingAcceptance', resource_type: 'endpoint', resource_id: endpoint.id, endpoint_service_id: service.id, service_owner: true, occurred_at: 'string' })
        await eventually(async () => (ofConsumer.changes.some((c) => c.type === 'connection.pendingAcceptance' && c.service_owner === false) ? true : undefined), 'the consumer hears of it too')
        assert.ok(ofConsumer.changes.some((c) => c.type === 'endpoint.created'), "the consumer sees its own endpoint's creation")
        assert.ok(!ofProvider.changes.some((c) => c.type === 'permission.added'), 'nothing from before the stream opened')
        // Changes reach every stream in commit order: once the stranger hears of a change of its own, made
        // after the connection's, any of the connection's changes sent to it would have arrived before it.
        const own = await availableServiceOf(new ApiClient(server.url, stranger))
        await eventually(async () => (ofStranger.changes.some((c) => c.resource_id === own.id) ? true : undefined), 'the stranger hears of its own service')
        assert.deepEqual(ofStranger.changes.filter((c) => c.resource_id !== own.id), [], 'another tenant hears nothing of the connection')
      } finally {
        for (const s of streams) s.close()
      }
    })

    it('is authenticated and confined to the caller\'s project', async () => {
      assert.equal((await fetch(`${server.url}/vpcep-ext/v1/${provider.projectId}/events/stream`)).status, 401)
      const other = await signedRequest(server.url, { ...stranger, projectId: provider.projectId }, { path: `/vpcep-ext/v1/${provider.projectId}/events/stream` })
      assert.equal(other.status, 403)
    })
  })

  describe(`console live updates in Chromium [${dialect}]`, { skip: SKIP_BROWSER }, () => {
    let server: TestServer
    let browser: Browser
    let page: Page
    let provider: NewAccount
    let consumer: NewAccount

    before(async () => {
      if (!HAVE_CHROMIUM) throw new Error(`Chromium is missing at ${CHROMIUM}; in CI .ci/run installs Debian's chromium package`)
      const { chromium } = await import('playwright-core')
      server = await startServer(await freshDatabaseUrl(dialect))
      ;[provider, consumer] = await Promise.all([server.account('provider'), server.account('consumer')])
      browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS })
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      context.setDefaultTimeout(8000)
      page = await context.newPage()
    })
    after(async () => {
      await browser?.close()
      await server?.stop()
    })

    it('shows a new connection request the moment it arrives, without a reload or polling', async () => {
      const p = new ApiClient(server.url, provider)
      const c = new ApiClient(server.url, consumer)
      const service = await availableServiceOf(p)
      expectStatus(await p.addPermissions(service.id, [`iam:domain::${consumer.domainId}`]), 200, 'whitelist')
      await page.goto(`${server.url}/console/`)
      await page.getByLabel('Account name').fill(provider.domainName)
      await page.getByLabel('User name').fill(provider.userName)
      await page.getByLabel('Password').fill(provider.password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { name: 'Endpoint services', level: 1 }).waitFor()
      // The stream is up before the connections page opens, and the page is opened within the app (a
      // reload would reconnect, and a page re-reads once when its stream connects).
      await page.waitForFunction(() => document.documentElement.dataset.live === 'on')
      await page.evaluate((hash) => (location.hash = hash), `#/services/${service.id}/connections`)
      await page.getByText('No connections yet').waitFor()
      await page.evaluate(() => ((window as unknown as { mark: boolean }).mark = true))

      const reads: string[] = []
      page.on('request', (r) => {
        if (r.url().includes('/connections')) reads.push(r.url())
      })
      // Longer than the 2-second poll the console falls back to when the stream is down: nothing changes, nothing is read.
      await new Promise((resolve) => setTimeout(resolve, 2300))
      assert.deepEqual(reads, [], 'no polling while the stream is up')

      const endpoint = expectStatus(await c.createEndpoint(service.id), 200, 'create endpoint')
      const pendingRow = page.locator(`tr[data-id="${endpoint.id}"]`)
      await pendingRow.waitFor({ timeout: 1500 })
      await pendingRow.getByText('Pending', { exact: false }).first().waitFor()
      assert.ok(await page.evaluate(() => (window as unknown as { mark?: boolean }).mark === true), 'the same page: no reload')

      // Elsewhere in the console, a request shows as a notice with a link to the connections.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Endpoints', exact: true }).click()
      await page.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor()
      const second = expectStatus(await c.createEndpoint(service.id), 200, 'create another endpoint')
      const notice = page.locator('.live-request')
      await notice.waitFor({ timeout: 1500 })
      assert.match((await notice.textContent()) ?? '', new RegExp(`New connection request from endpoint ${second.id}`))
      await notice.getByRole('link', { name: 'Review the connections' }).click()
      await page.locator(`tr[data-id="${second.id}"]`).waitFor()
    })
  })
}
