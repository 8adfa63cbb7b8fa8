import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { ApiClient, availableServiceOf } from '../helpers/api-client.ts'
import { Receiver, deliveries, signedBy } from '../helpers/webhooks.ts'
import { loadConfig } from '../../src/config.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { baseEnv, cli } from '../helpers/cli.ts'

/** `vpcep subscriptions …`, as people and scripts run it. */
const subscriptionsCli = (args: string[], env: Record<string, string>) => cli(['subscriptions', ...args], env)

for (const dialect of dialects()) {
  describe(`vpcep subscriptions [${dialect}]`, () => {
    let server: TestServer
    let receiver: Receiver
    let provider: NewAccount
    let env: Record<string, string>

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { webhooks: { ...loadConfig({}).webhooks, maxAttempts: 1, timeoutMs: 500, pollMs: 50 } })
      receiver = await Receiver.start()
      provider = await server.account('provider')
      env = { ...baseEnv(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cli-home-'))), VPCEP_ENDPOINT: server.url, VPCEP_ACCESS_KEY: provider.accessKey, VPCEP_SECRET_KEY: provider.secretKey, VPCEP_PROJECT_ID: provider.projectId }
    })
    after(async () => {
      await server.stop()
      await receiver.close()
    })

    it('creates a subscription, lists dead letters and redelivers one', async () => {
      const created = await subscriptionsCli(['create', '--url', `${receiver.url}/cli`, '--all-services', '--events', 'service.available', '--name', 'ci', '--json'], env)
      assert.equal(created.code, 0, created.stderr)
      assert.match(created.json.secret, /^whsec_/)
      const id = created.json.subscription.id
      const shown = await subscriptionsCli(['show', id], env)
      assert.match(shown.stdout, /for\s+every service/)
      assert.match(shown.stdout, /events\s+service\.available/)

      receiver.behave = () => 500
      await availableServiceOf(new ApiClient(server.url, provider))
      await eventually(async () => ((await deliveries(server.url, provider, { status: 'dead' })).length === 1 ? true : undefined), 'a dead letter')
      const dead = await subscriptionsCli(['deliveries', '--status', 'dead'], env)
      assert.equal(dead.code, 0, dead.stderr)
      const [header, row] = dead.stdout.trimEnd().split('\n').map((line) => line.trim().split(/ {2,}/))
      assert.deepEqual(header, ['DELIVERY', 'STATUS', 'EVENT', 'SUBJECT', 'ATTEMPTS', 'LAST', 'CREATED'])
      assert.deepEqual(row!.slice(1, 6), ['dead', 'service.available', row![3], '1', 'HTTP 500'])

      receiver.behave = () => 200
      const again = await subscriptionsCli(['redeliver', row![0]!, '--json'], env)
      assert.equal(again.code, 0, again.stderr)
      await eventually(async () => ((await deliveries(server.url, provider, { status: 'delivered' })).length === 1 ? true : undefined), 'redelivered')
      assert.ok(signedBy(created.json.secret, receiver.at('/cli').at(-1)!))

      const usage = await subscriptionsCli(['create', '--url', `${receiver.url}/x`, '--events', 'service.available'], env)
      assert.equal(usage.code, 2, 'no target given is a usage error')
      const refused = await subscriptionsCli(['create', '--url', 'http://169.254.169.254/', '--all-services'], env)
      assert.equal(refused.code, 1)
      assert.match(refused.stderr, /link-local/)
      assert.equal((await subscriptionsCli(['delete', id], env)).code, 0)
      assert.equal((await subscriptionsCli(['show', id], env)).code, 3)
    })
  })
}
