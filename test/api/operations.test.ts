import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { sdkClient, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { ConfigError, loadConfig } from '../../src/config.ts'

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'

/** The value of one sample line of the Prometheus text, or 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const [series, value] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)]
    if (series.split('{')[0] !== name) continue
    if (wanted.every((w) => series.includes(w))) return Number(value)
  }
  return 0
}

for (const dialect of dialects()) {
  describe(`metrics [${dialect}]`, () => {
    let server: TestServer
    let sdk: TestVpcepClient
    const scrape = async () => {
      const res = await httpRequest(`${server.url}/metrics`)
      assert.equal(res.status, 200)
      assert.match(String(res.headers['content-type']), /^text\/plain/)
      return res.text
    }

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      sdk = sdkClient(server.url, await server.account('metrics'))
    })
    after(() => server.stop())

    it('counts requests by route template and status, and shows resources, reconciler and auth failures', async () => {
      const route = { route: '/v1/:project_id/vpc-endpoint-services', method: 'GET', status: '200' }
      const before = sample(await scrape(), 'vpcep_http_requests_total', route)
      await sdk.listEndpointService()
      await sdk.listEndpointService()
      const created = await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] })
      await eventually(async () => ((await sdk.listServiceDetails(created.id)).status === 'available' ? true : undefined), 'available')
      await httpRequest(`${server.url}/v1/x/vpc-endpoints`, { headers: { 'x-auth-token': 'wrong' } })
      const text = await scrape()
      assert.equal(sample(text, 'vpcep_http_requests_total', route), before + 2)
      assert.ok(!text.includes(created.id), 'raw URLs (with ids) never become labels')
      assert.ok(sample(text, 'vpcep_http_request_duration_seconds_count', { route: route.route, method: 'GET' }) >= 2)
      assert.ok(sample(text, 'vpcep_resources', { type: 'endpoint_service', status: 'available' }) >= 1)
      assert.ok(sample(text, 'vpcep_authentication_failures_total') >= 1)
      assert.match(text, /^vpcep_reconciler_backlog \d+/m)
      assert.match(text, /^vpcep_reconciler_lag_seconds [\d.]+/m)
      assert.match(text, /^vpcep_database_errors_total 0/m)
    })
  })
}

describe('settings from a config file', () => {
  const file = (content: unknown) => {
    const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cfg-')), 'vpcep.json')
    fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content))
    return p
  }

  it('reads the file, and the environment wins over it', () => {
    const p = file({ VPCEP_PORT: 9999, VPCEP_REGION: 'ap-southeast-1', VPCEP_QUOTA_ENDPOINTS: '7' })
    const config = loadConfig({ VPCEP_CONFIG_FILE: p, VPCEP_REGION: 'eu-west-0' })
    assert.deepEqual([config.port, config.region, config.quotas.endpoint], [9999, 'eu-west-0', 7])
  })

  it('refuses unknown settings, bad values and bad JSON with a clear message', () => {
    assert.throws(() => loadConfig({ VPCEP_CONFIG_FILE: file({ VPCEP_PROT: 1 }) }), (e: Error) => e instanceof ConfigError && /unknown setting VPCEP_PROT/.test(e.message))
    assert.throws(() => loadConfig({ VPCEP_CONFIG_FILE: file({ VPCEP_PORT: 'x' }) }), /VPCEP_PORT must be a whole number/)
    assert.throws(() => loadConfig({ VPCEP_CONFIG_FILE: file('{nope') }), /VPCEP_CONFIG_FILE .*JSON|Unexpected|Expected/)
    assert.throws(() => loadConfig({ VPCEP_LOG_FORMAT: 'xml' }), /VPCEP_LOG_FORMAT must be json or pretty/)
    assert.throws(() => loadConfig({ VPCEP_ADMIN_TOKEN: 'short' }), /at least 16 characters/)
  })
})
