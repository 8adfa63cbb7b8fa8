// Publishes an endpoint service with vpcep's typed client, waits until it is available, then removes it.
// Run it from a clone after `npm ci` (or from a project that ran `npm install /path/to/vpcep`):
//   VPCEP_ACCESS_KEY=… VPCEP_SECRET_KEY=… VPCEP_PROJECT_ID=… node examples/node-client.mjs
import { randomUUID } from 'node:crypto'
import { VpcepClient, VpcepApiError, waitForServiceAvailable, waitForServiceGone } from 'vpcep/client'

const client = new VpcepClient({
  endpoint: process.env.VPCEP_ENDPOINT ?? 'http://127.0.0.1:9880',
  projectId: process.env.VPCEP_PROJECT_ID,
  auth: { kind: 'aksk', accessKey: process.env.VPCEP_ACCESS_KEY, secretKey: process.env.VPCEP_SECRET_KEY },
})

try {
  const created = await client.services.create({
    port_id: randomUUID(), // the backend's port; vpcep has no VPC service, so any UUID not yet published
    vpc_id: '4189d3c2-8882-4871-a3c2-d380272eed80',
    server_type: 'VM',
    ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }],
  })
  const service = await waitForServiceAvailable(client, created.id, { timeoutMs: 30_000 })
  console.log(`${service.service_name} is ${service.status}`)

  const { endpoint_services: services } = await client.services.list()
  console.log(`the project has ${services.length} service(s)`)

  await client.services.delete(service.id)
  await waitForServiceGone(client, service.id, { timeoutMs: 30_000 })
  console.log(`deleted ${service.id}`)
} catch (error) {
  // An API refusal carries the EndPoint.* code and the request id to quote in a report.
  if (error instanceof VpcepApiError) console.error(`${error.errorCode}: ${error.errorMsg} (request ${error.requestId})`)
  else console.error(error.message)
  process.exitCode = 1
}
