import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { loadConfig } from '../../src/config.ts'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient } from '../helpers/vpcep-sdk.ts'
import { httpRequest } from '../helpers/http.ts'
import { acceptedEndpoint, echoBackend, forwardsWithin, privateRange } from '../helpers/dataplane.ts'

/*
 * `vpcep dataplane` as a process of its own beside two API instances that do not forward
 * (VPCEP_DATAPLANE=external), as docs/deployment.md runs it over PostgreSQL.
 */
for (const dialect of dialects()) {
  describe(`vpcep dataplane: the data plane as a role beside stateless API instances [${dialect}]`, () => {
    let url: string
    let one: TestServer
    let two: TestServer
    let role: ChildProcess
    let output = ''
    let backend: Awaited<ReturnType<typeof echoBackend>>
    const range = privateRange()

    before(async () => {
      url = await freshDatabaseUrl(dialect)
      backend = await echoBackend()
      const dataplane = { ...loadConfig({ VPCEP_DATABASE_URL: url }).dataplane, mode: 'external' as const, addressRange: range }
      one = await startServer(url, { dataplane })
      two = await startServer(url, { dataplane })
      role = spawn(process.execPath, ['bin/vpcep.js', 'dataplane', '--metrics-port', '0'], {
        env: { ...process.env, VPCEP_DATABASE_URL: url, VPCEP_ENDPOINT_ADDRESS_RANGE: range.cidr, VPCEP_DNS_PORT: 'off' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      role.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
      role.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
      await eventually(async () => (output.includes('data plane metrics') ? true : undefined), `vpcep dataplane started:\n${output}`, 20000)
    })
    after(async () => {
      if (role.exitCode === null) role.kill('SIGKILL')
      await one.stop()
      await two.stop()
      await backend.close()
    })

    it('forwards endpoints accepted through either instance, serves its metrics, and reports stopped when it stops', async () => {
      const provider = await one.account('provider')
      const consumer = await one.account('consumer')
      const { endpoint } = await acceptedEndpoint(sdkClient(one.url, provider), sdkClient(two.url, consumer), consumer.domainId, backend.port)
      await forwardsWithin(endpoint.ip, 8080, 2000)
      const shown = await eventually(async () => (await sdkClient(one.url, consumer).listEndpointInfoDetails(endpoint.id)).forwarding, 'report through the other instance')
      assert.equal(shown.state, 'forwarding')
      const metricsUrl = /"metrics":"([^"]+)"/.exec(output)![1]!
      const metrics = await httpRequest(metricsUrl)
      assert.match(metrics.text, new RegExp(`vpcep_dataplane_connections_opened_total\\{endpoint_id="${endpoint.id}"\\} [1-9]`))
      const exited = new Promise((resolve) => role.once('exit', resolve))
      role.kill('SIGTERM')
      assert.equal(await exited, 0)
      const stopped = await sdkClient(two.url, consumer).listEndpointInfoDetails(endpoint.id)
      assert.equal(stopped.forwarding.state, 'stopped')
    })
  })
}
