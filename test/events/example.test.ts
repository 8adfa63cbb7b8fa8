import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { ApiClient, availableServiceOf, expectStatus } from '../helpers/api-client.ts'
import { ext, subscribe } from '../helpers/webhooks.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const EXAMPLE = 'docs/examples/auto-approve.mjs'

/** Starts the example exactly as docs/events.md runs it; answers its URL once it listens. */
async function startExample(child: ChildProcess): Promise<string> {
  let output = ''
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) resolve(match[1]!)
    })
    child.stderr!.on('data', (chunk) => (output += chunk))
    child.once('exit', (code) => reject(new Error(`${EXAMPLE} exited (${code}): ${output}`)))
  })
}

for (const dialect of dialects()) {
  describe(`the auto-approval example in docs/events.md [${dialect}]`, () => {
    let server: TestServer
    let provider: NewAccount
    let trusted: NewAccount
    let stranger: NewAccount
    let bot: ChildProcess | undefined

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      ;[provider, trusted, stranger] = await Promise.all([server.account('provider'), server.account('trusted'), server.account('stranger')])
    })
    after(async () => {
      bot?.kill()
      await server.stop()
    })

    it('accepts a trusted account\'s connection request and leaves another pending', async () => {
      const p = new ApiClient(server.url, provider)
      const service = await availableServiceOf(p)
      expectStatus(await p.addPermissions(service.id, [`iam:domain::${trusted.domainId}`, `iam:domain::${stranger.domainId}`]), 200, 'whitelist')
      const subscription = await subscribe(server.url, provider, { url: 'http://127.0.0.1:9/placeholder', resource_type: 'endpoint_service', resource_id: service.id, event_types: ['connection.requested'] })
      bot = spawn(process.execPath, [EXAMPLE], {
        env: {
          ...process.env,
          PORT: '0',
          VPCEP_URL: server.url,
          VPCEP_DOMAIN: provider.domainName,
          VPCEP_USER: provider.userName,
          VPCEP_PASSWORD: provider.password,
          PROJECT_ID: provider.projectId,
          WEBHOOK_SECRET: subscription.secret,
          TRUSTED_DOMAINS: trusted.domainId,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const botUrl = await startExample(bot)
      // The bot is up (on a port of its own choosing): point the subscription at it.
      assert.equal((await ext(server.url, provider, 'PUT', `/subscriptions/${subscription.id}`, { subscription: { url: `${botUrl}/` } })).status, 200)

      const fromTrusted = expectStatus(await new ApiClient(server.url, trusted).createEndpoint(service.id), 200, 'trusted endpoint')
      const fromStranger = expectStatus(await new ApiClient(server.url, stranger).createEndpoint(service.id), 200, 'stranger endpoint')
      await eventually(async () => ((await new ApiClient(server.url, trusted).endpoint(fromTrusted.id)).body.status === 'accepted' ? true : undefined), 'the bot accepted the trusted request', 10000)
      const other = await eventually(async () => {
        const d = (await new ApiClient(server.url, stranger).endpoint(fromStranger.id)).body
        return d.status === 'creating' ? undefined : d
      }, 'stranger settled')
      assert.equal(other.status, 'pendingAcceptance', 'an untrusted account waits for a person')
    })
  })
}
