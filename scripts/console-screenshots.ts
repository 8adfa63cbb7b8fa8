// Takes the screenshots in docs/screenshots/ of the web console's main pages, over a throwaway SQLite
// database with two accounts (a provider and a consumer). Run once after changing the console:
//   npx tsx scripts/console-screenshots.ts
// Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM_PATH).
import fs from 'node:fs'
import { randomUUID } from 'node:crypto'
import { chromium, type Page } from 'playwright-core'
import { freshDatabaseUrl, startServer } from '../test/helpers/server.ts'
import { sdkClient, type SdkResponse } from '../test/helpers/vpcep-sdk.ts'
import { createAccount } from '../src/identity/accounts.ts'
import { systemClock } from '../src/domain/clock.ts'

const OUT = new URL('../docs/screenshots/', import.meta.url)
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'

fs.mkdirSync(OUT, { recursive: true })
const server = await startServer(await freshDatabaseUrl('sqlite'))
const browser = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS })
try {
  const provider = await createAccount(server.store, systemClock, server.config.region, 'acme')
  const consumer = await createAccount(server.store, systemClock, server.config.region, 'globex')
  const providerSdk = sdkClient(server.url, provider)
  const consumerSdk = sdkClient(server.url, consumer)

  // Data: two services, a whitelist, three connections in three states, a consumer endpoint each.
  const web = await providerSdk.createEndpointService({ service_name: 'web', port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 443, server_port: 8443, protocol: 'TCP' }], description: 'Public HTTPS front end' })
  await providerSdk.createEndpointService({ service_name: 'postgres', port_id: randomUUID(), vpc_id: VPC, server_type: 'LB', approval_enabled: false, ports: [{ client_port: 5432, server_port: 5432, protocol: 'TCP' }] })
  await waitFor(async () => (await providerSdk.listServiceDetails(web.id)).status === 'available')
  await providerSdk.batchAddEndpointServicePermissions(web.id, {
    permissions: [
      { permission: `iam:domain::${consumer.domainId}`, description: 'globex production' },
      { permission: 'iam:domain::5f2a9c3e1b7d4e8fa0c6b2d4e6f8a1c3', description: 'staging account' },
      { permission: 'iam:domain::9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b', description: 'old partner' },
    ],
  })
  const endpoints: SdkResponse[] = []
  for (let i = 0; i < 3; i++) endpoints.push(await consumerSdk.createEndpoint({ endpoint_service_id: web.id, vpc_id: VPC, subnet_id: SUBNET, description: ['billing', 'reports', 'test'][i] }))
  await waitFor(async () => (await consumerSdk.listEndpointInfoDetails(endpoints[2]!.id)).status === 'pendingAcceptance')
  await providerSdk.acceptOrRejectEndpoint(web.id, { action: 'receive', endpoints: [endpoints[0]!.id] })
  await providerSdk.acceptOrRejectEndpoint(web.id, { action: 'reject', endpoints: [endpoints[2]!.id] })

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC' })
  const page = await context.newPage()
  const shot = async (name: string) => {
    await page.waitForTimeout(150)
    await page.screenshot({ path: new URL(`${name}.png`, OUT).pathname, fullPage: false })
    console.log(`docs/screenshots/${name}.png`)
  }
  /** The same page in a 420 px wide window (a phone), as `<name>-narrow.png`; back to 1280 px after. */
  const narrow = async (p: Page, name: string) => {
    await p.setViewportSize({ width: 420, height: 860 })
    await p.waitForTimeout(150)
    await p.screenshot({ path: new URL(`${name}-narrow.png`, OUT).pathname })
    console.log(`docs/screenshots/${name}-narrow.png`)
    await p.setViewportSize({ width: 1280, height: 800 })
  }

  await page.goto(`${server.url}/console/`)
  await signIn(page, provider.domainName, provider.userName, 'not-the-password')
  await page.getByRole('alert').waitFor()
  await shot('sign-in-error')

  await signIn(page, provider.domainName, provider.userName, provider.password)
  await page.getByRole('heading', { name: 'Endpoint services' }).waitFor()
  await page.getByText('Available').first().waitFor()
  await page.locator('.pending-count').first().waitFor()
  await shot('services')
  await narrow(page, 'services')

  await page.getByRole('link', { name: 'Create endpoint service' }).click()
  await page.getByLabel('Name (optional)').fill('reports')
  await shot('service-create')

  await page.goto(`${server.url}/console/#/services/${web.id}`)
  await page.getByRole('heading', { name: 'web' }).waitFor()
  await page.locator('.tab-count:not([hidden])').waitFor()
  await shot('service-detail')
  await narrow(page, 'service-detail')

  await page.getByRole('link', { name: 'Whitelist', exact: true }).click()
  await page.getByRole('checkbox', { name: 'Select iam:domain::5f2a9c3e1b7d4e8fa0c6b2d4e6f8a1c3' }).check()
  await page.getByRole('checkbox', { name: 'Select iam:domain::9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b' }).check()
  await shot('whitelist')
  await page.getByRole('button', { name: 'Remove selected (2)' }).click()
  await page.locator('dialog[open]').waitFor()
  await shot('whitelist-remove-dialog')
  await page.keyboard.press('Escape')

  await page.getByRole('navigation', { name: 'Service sections' }).getByRole('link', { name: /^Connections/ }).click()
  await page.getByText('Pending acceptance').first().waitFor()
  await shot('connections')
  await narrow(page, 'connections')
  await page.getByRole('button', { name: `Accept endpoint ${endpoints[1]!.id}` }).click()
  await page.locator('dialog[open]').waitFor()
  await shot('connections-accept-dialog')
  await page.keyboard.press('Escape')

  await page.getByRole('link', { name: 'Quotas' }).click()
  await page.getByRole('heading', { name: 'Quotas' }).waitFor()
  await shot('quotas')

  // The consumer's side, in a fresh context (its own session storage).
  const consumerContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC' })
  const consumerPage = await consumerContext.newPage()
  const pageBefore = page
  await consumerPage.goto(`${server.url}/console/#/endpoints`)
  await signIn(consumerPage, consumer.domainName, consumer.userName, consumer.password)
  await consumerPage.getByRole('heading', { name: 'Endpoints' }).waitFor()
  await consumerPage.getByText('Accepted').first().waitFor()
  await shotOf(consumerPage, 'endpoints')
  await narrow(consumerPage, 'endpoints')
  await consumerPage.getByRole('link', { name: endpoints[0]!.id }).click()
  await consumerPage.getByRole('heading', { name: /^Endpoint / }).waitFor()
  await shotOf(consumerPage, 'endpoint-detail')
  await consumerPage.goto(`${server.url}/console/#/endpoints/new`)
  await consumerPage.getByLabel('Endpoint service').fill(web.service_name)
  await shotOf(consumerPage, 'endpoint-create')

  await pageBefore.goto(`${server.url}/docs`)
  await shotOf(pageBefore, 'api-reference')
  await pageBefore.goto(`${server.url}/docs#op-batchremoveendpointservicepermissions`)
  await shotOf(pageBefore, 'api-reference-operation')

  async function shotOf(p: Page, name: string) {
    await p.waitForTimeout(150)
    await p.screenshot({ path: new URL(`${name}.png`, OUT).pathname })
    console.log(`docs/screenshots/${name}.png`)
  }
} finally {
  await browser.close()
  await server.stop()
}

async function signIn(page: Page, account: string, user: string, password: string) {
  await page.getByLabel('Account name').fill(account)
  await page.getByLabel('User name').fill(user)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

async function waitFor(probe: () => Promise<boolean>) {
  const deadline = Date.now() + 10_000
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

