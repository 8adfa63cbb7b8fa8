import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, eventually, freshDatabaseUrl } from '../helpers/server.ts'
import { startServerProcess, type ServerProcess } from '../helpers/process.ts'
import { ApiClient, availableServiceOf, expectStatus, settledEndpointOf } from '../helpers/api-client.ts'
import { Receiver, subscribe } from '../helpers/webhooks.ts'
import { openStore } from '../../src/store/database.ts'
import { createAccount, type NewAccount } from '../../src/identity/accounts.ts'
import { systemClock } from '../../src/domain/clock.ts'

/*
 * VPCEP_WORKERS=2: two server processes share the port. Polling is set an hour apart, so what happens
 * promptly here happens because the workers told each other (a create through the worker that does not
 * reconcile becomes available; an accept through it is delivered as a webhook at once).
 */

interface LogLine {
  msg: string
  pid: number
  worker?: number
  roles?: string[]
}

function lines(server: ServerProcess): LogLine[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
}

/** Pids of the workers alive now, by their last `worker ready` line per index. */
function liveWorkers(server: ServerProcess): Map<number, LogLine> {
  const byIndex = new Map<number, LogLine>()
  for (const line of lines(server)) if (line.msg === 'worker ready') byIndex.set(line.worker!, line)
  return byIndex
}

for (const dialect of dialects()) {
  describe(`two workers on one port [${dialect}]`, () => {
    let server: ServerProcess
    let provider: NewAccount
    let consumer: NewAccount
    let receiver: Receiver
    let p: ApiClient
    let c: ApiClient

    before(async () => {
      const databaseUrl = await freshDatabaseUrl(dialect)
      const setup = await openStore(databaseUrl)
      provider = await createAccount(setup, systemClock, 'cn-north-4', 'provider')
      consumer = await createAccount(setup, systemClock, 'cn-north-4', 'consumer')
      await setup.close()
      receiver = await Receiver.start()
      server = await startServerProcess({
        VPCEP_DATABASE_URL: databaseUrl,
        VPCEP_WORKERS: '2',
        VPCEP_LOG_FORMAT: 'json',
        VPCEP_RECONCILE_INTERVAL_MS: '3600000',
        VPCEP_WEBHOOK_POLL_MS: '60000',
        VPCEP_DATAPLANE: dialect === 'sqlite' ? 'embedded' : 'external',
        VPCEP_DNS_PORT: 'off',
        VPCEP_ENDPOINT_ADDRESS_RANGE: '127.91.0.0/16',
      })
      await eventually(async () => (lines(server).some((line) => line.msg === 'vpcep ready') && liveWorkers(server).size === 2 ? true : undefined), 'every worker listening', 20000)
      p = new ApiClient(server.url, provider)
      c = new ApiClient(server.url, consumer)
    })
    after(async () => {
      await server?.stop()
      await receiver?.close()
    })

    it('runs the background roles in exactly one worker', () => {
      const workers = liveWorkers(server)
      assert.deepEqual([...workers.keys()].sort(), [0, 1])
      assert.deepEqual(workers.get(1)!.roles, ['api'])
      assert.deepEqual(workers.get(0)!.roles, ['api', 'reconciler', 'event delivery', `data plane ${dialect === 'sqlite' ? 'embedded' : 'external'}`])
      const forwarding = lines(server).filter((line) => line.msg === 'data plane forwarding')
      assert.equal(forwarding.length, dialect === 'sqlite' ? 1 : 0)
    })

    it('serves requests from both workers, and a write through one reads back through the other at once', async () => {
      const service = await availableServiceOf(p)
      for (let i = 0; i < 20; i++) {
        // Each call is a connection of its own; connections go to the workers in turn.
        expectStatus(await p.call('PUT', `/vpc-endpoint-services/${service.id}`, { description: `change ${i}` }), 200, 'update')
        assert.equal(expectStatus(await p.service(service.id), 200, 'read').description, `change ${i}`)
      }
      const served = new Set(lines(server).filter((line) => line.msg === 'request completed').map((line) => line.pid))
      assert.equal(served.size, 2, 'both workers answered requests')
    })

    it('reconciles and delivers what any worker scheduled, promptly and once', async () => {
      const service = await availableServiceOf(p, { approval_enabled: true })
      expectStatus(await p.addPermissions(service.id, [`iam:domain::${consumer.domainId}`]), 200, 'whitelist')
      await subscribe(server.url, provider, { url: `${receiver.url}/decisions`, resource_type: 'endpoint_service', resource_id: service.id, event_types: ['connection.accepted', 'connection.rejected'] })
      const endpoints: string[] = []
      for (let i = 0; i < 6; i++) endpoints.push(expectStatus(await c.createEndpoint(service.id), 200, 'create endpoint').id)
      for (const id of endpoints) assert.equal((await settledEndpointOf(c, id)).status, 'pendingAcceptance')
      for (const [i, id] of endpoints.entries()) expectStatus(await p.decide(service.id, i % 2 === 0 ? 'receive' : 'reject', id), 200, 'decide')
      await eventually(async () => (receiver.at('/decisions').length >= endpoints.length ? true : undefined), 'a webhook per decision', 10000)
      // Another dispatch pass, had a second worker one, would have sent copies by now.
      await new Promise((resolve) => setTimeout(resolve, 300))
      const events = receiver.at('/decisions').map((r) => r.event)
      assert.equal(events.length, endpoints.length)
      assert.equal(new Set(events.map((e) => e.id)).size, endpoints.length)
      assert.deepEqual(events.map((e) => e.type).sort(), [...Array(3).fill('vpcep.connection.accepted'), ...Array(3).fill('vpcep.connection.rejected')])
    })

    it('replaces a killed lead with a lead, and the roles still run once', async () => {
      const lead = liveWorkers(server).get(0)!
      process.kill(lead.pid, 'SIGKILL')
      const replaced = await eventually(async () => {
        const now = liveWorkers(server).get(0)
        return now && now.pid !== lead.pid ? now : undefined
      }, 'a new lead', 15000)
      assert.deepEqual(replaced.roles, ['api', 'reconciler', 'event delivery', `data plane ${dialect === 'sqlite' ? 'embedded' : 'external'}`])
      assert.deepEqual(liveWorkers(server).get(1)!.roles, ['api'])
      // The new lead reconciles what the other worker schedules.
      await availableServiceOf(p)
      await availableServiceOf(p)
    })
  })
}
