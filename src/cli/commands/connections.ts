import { Option, type Command } from 'commander'
import { CONNECTION_FILTER_STATUSES } from '../../model/resources.ts'
import { waitForConnection } from '../../client/waiters.ts'
import type { Connection, Connections } from '../../client/types.ts'
import type { ApiContext } from '../api.ts'
import { apiCommand } from '../api.ts'
import { parseCount } from '../parse.ts'
import { pageNote, printJson, printTable } from '../output.ts'

const SERVICE = '4189d3c2-8882-4871-a3c2-d380272eed83'
const ENDPOINT = '705290f3-0d00-41f2-aedc-71f09844e879'

function printConnections(connections: Connection[]): void {
  printTable(connections, [
    { header: 'ENDPOINT', value: (c) => c.id },
    { header: 'STATUS', value: (c) => c.status, status: true },
    { header: 'DOMAIN', value: (c) => c.domain_id },
    { header: 'MARKER', value: (c) => String(c.marker_id) },
    { header: 'DESCRIPTION', value: (c) => c.description },
    { header: 'CREATED', value: (c) => c.created_at },
  ])
}

async function decide(ctx: ApiContext, serviceId: string, endpointId: string, action: 'receive' | 'reject'): Promise<void> {
  let result: Connections = await ctx.client.connections.action(serviceId, action, endpointId)
  const target = action === 'receive' ? 'accepted' : 'rejected'
  if (ctx.wait) {
    const settled = await ctx.waitFor(`${action === 'receive' ? 'accepting' : 'rejecting'} endpoint ${endpointId}`, (w) => waitForConnection(ctx.client, serviceId, endpointId, target, w))
    result = { connections: [settled] }
  }
  if (ctx.json) return printJson(result)
  printConnections(result.connections)
}

export function registerConnections(program: Command): void {
  const connections = program.command('connections').description("the endpoints connected to your service, and your decisions on them")
  connections.addHelpText('after', `\nExample:\n  $ vpcep connections accept ${SERVICE} ${ENDPOINT} --wait\n`)

  apiCommand(connections, {
    name: 'list <service-id>',
    description: "list a service's connections (its endpoints, with the consumer's account id)",
    examples: [`vpcep connections list ${SERVICE}`, `vpcep connections list ${SERVICE} --status pendingAcceptance --json`],
    options: (c) =>
      c
        .addOption(new Option('--status <status>', 'only connections in this status').choices(CONNECTION_FILTER_STATUSES))
        .option('--id <endpoint-id>', 'only this endpoint')
        .option('--marker-id <n>', 'only the endpoint with this marker id', parseCount)
        .option('--limit <n>', 'page size (1-1000)', parseCount, 1000)
        .option('--offset <n>', 'records to skip', parseCount),
    action: async (ctx, [serviceId], o) => {
      const page = await ctx.client.connections.list(serviceId!, {
        status: o.status as (typeof CONNECTION_FILTER_STATUSES)[number] | undefined,
        id: o.id as string | undefined,
        marker_id: o.markerId as number | undefined,
        limit: o.limit as number,
        offset: o.offset as number | undefined,
      })
      if (ctx.json) return printJson(page)
      printConnections(page.connections)
      pageNote(page.connections.length, page.total_count, (o.offset as number | undefined) ?? 0)
    },
  })

  apiCommand(connections, {
    name: 'accept <service-id> <endpoint-id>',
    description: 'accept a connection (pendingAcceptance or rejected → accepted)',
    examples: [`vpcep connections accept ${SERVICE} ${ENDPOINT} --wait`],
    wait: 'wait until the connection is accepted',
    action: (ctx, [serviceId, endpointId]) => decide(ctx, serviceId!, endpointId!, 'receive'),
  })

  apiCommand(connections, {
    name: 'reject <service-id> <endpoint-id>',
    description: 'reject a connection (pendingAcceptance or accepted → rejected); the consumer deletes the endpoint',
    examples: [`vpcep connections reject ${SERVICE} ${ENDPOINT} --wait`],
    wait: 'wait until the connection is rejected',
    action: (ctx, [serviceId, endpointId]) => decide(ctx, serviceId!, endpointId!, 'reject'),
  })

  apiCommand(connections, {
    name: 'describe <service-id> <endpoint-id>',
    description: "set your (the provider's) description of a connection",
    examples: [`vpcep connections describe ${SERVICE} ${ENDPOINT} --description "billing team, ticket 1234"`],
    options: (c) => c.requiredOption('--description <text>', 'the new description (no < or >)'),
    action: async (ctx, [serviceId, endpointId], o) => {
      const result = await ctx.client.connections.describe(serviceId!, [{ id: endpointId!, description: o.description as string }])
      if (ctx.json) return printJson(result)
      printConnections(result.connections)
    },
  })
}
