import type { Command } from 'commander'
import { waitForEndpointGone, waitForEndpointSettled } from '../../client/waiters.ts'
import type { CreateEndpointRequest, Endpoint, UpdateEndpointRequest } from '../../client/types.ts'
import type { VpcepClient } from '../../client/client.ts'
import { apiCommand } from '../api.ts'
import { UsageError } from '../errors.ts'
import { collect, parseCount, parseTag } from '../parse.ts'
import { pageNote, printFields, printJson, printTable, println, tagText } from '../output.ts'

const SERVICE = '4189d3c2-8882-4871-a3c2-d380272eed83'
const ENDPOINT = '705290f3-0d00-41f2-aedc-71f09844e879'
const VPC = '84758cf5-9c62-43ae-a778-3dbd8370c0a4'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'
const ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

function printEndpoint(endpoint: Endpoint): void {
  printFields([
    ['id', endpoint.id],
    ['status', endpoint.status],
    ['service', endpoint.endpoint_service_name],
    ['service_id', endpoint.endpoint_service_id],
    ['type', endpoint.service_type],
    ['ip', endpoint.ip],
    ['dns_names', endpoint.dns_names],
    ['vpc_id', endpoint.vpc_id],
    ['subnet_id', endpoint.subnet_id],
    ['whitelist', endpoint.enable_whitelist ? endpoint.whitelist : ['(off)', ...endpoint.whitelist]],
    ['marker_id', String(endpoint.marker_id)],
    ['description', endpoint.description],
    ['tags', tagText(endpoint.tags)],
    ['created', endpoint.created_at],
    ['updated', endpoint.updated_at],
    ...forwardingFields(endpoint),
    ...(endpoint.error?.length ? ([['error', endpoint.error.map((e) => `${e.error_code} ${e.error_message}`)]] as Array<[string, string[]]>) : []),
  ])
}

/** Where the data plane forwards an accepted endpoint (the `forwarding` extension field), and its counters. */
function forwardingFields(endpoint: Endpoint): Array<[string, string | string[]]> {
  const f = endpoint.forwarding
  if (!f) return endpoint.status === 'accepted' ? [['forwarding', '(no data plane report yet)']] : []
  return [
    ['forwarding', f.listeners.map((l) => `${l.listen} → ${l.backend} (${l.protocol})`)],
    ['connections', `${f.active_connections} live, ${f.connections_total} total, ${f.refused_total} refused`],
    ['bytes', `${f.bytes_in} in, ${f.bytes_out} out`],
    ['proxy_protocol', f.proxy_protocol],
    ...(f.state !== 'forwarding' || f.message ? ([['forwarding_note', `${f.state}: ${f.message}`]] as Array<[string, string]>) : []),
  ]
}

/** A service id as is; anything else is taken for a full service name and looked up. */
async function serviceIdOf(client: VpcepClient, value: string): Promise<string> {
  if (ID.test(value)) return value
  return (await client.services.describe({ endpoint_service_name: value })).id
}

export function registerEndpoints(program: Command): void {
  const endpoints = program.command('endpoints').description('endpoints in your VPCs that connect to services (consumer side)')
  endpoints.addHelpText('after', `\nExample:\n  $ vpcep endpoints create --service ${SERVICE} --vpc-id ${VPC} --subnet-id ${SUBNET} --wait\n`)

  apiCommand(endpoints, {
    name: 'create',
    description: 'create an endpoint to a service (yours, one whose whitelist has your account, or a public one)',
    examples: [
      `vpcep endpoints create --service ${SERVICE} --vpc-id ${VPC} --subnet-id ${SUBNET} --wait`,
      `vpcep endpoints create --service cn-north-4.web.${SERVICE} --vpc-id ${VPC} --subnet-id ${SUBNET} --enable-dns --json`,
    ],
    options: (c) =>
      c
        .requiredOption('--service <id-or-name>', 'the service: its id, or its full name (region.name.id)')
        .requiredOption('--vpc-id <uuid>', 'your VPC')
        .option('--subnet-id <uuid>', 'your subnet (required, except for a gateway service of the public catalog)')
        .option('--port-ip <ipv4>', 'the address to take (default: the next free one)')
        .option('--enable-dns', 'create a private DNS name for the endpoint')
        .option('--whitelist <ip-or-cidr>', 'allowed source address, repeatable (turns the ACL on)', collect)
        .option('--description <text>', 'free text')
        .option('--tag <key=value>', 'tag, repeatable', parseTag),
    wait: 'wait until the endpoint is created (pendingAcceptance, or accepted)',
    usage: '--service <id-or-name> --vpc-id <uuid> --subnet-id <uuid> [options]',
    action: async (ctx, _args, o) => {
      const whitelist = o.whitelist as string[] | undefined
      const serviceId = await serviceIdOf(ctx.client, o.service as string)
      // The server needs a subnet for every interface service (all services but the operator's gateway
      // ones); say so by the flag's name before sending anything.
      if (o.subnetId === undefined && (await ctx.client.services.describe({ id: serviceId })).service_type !== 'gateway') {
        throw new UsageError("required option '--subnet-id <uuid>' not specified: the service is an interface service, whose endpoints take an address in one of your subnets")
      }
      const body: CreateEndpointRequest = {
        endpoint_service_id: serviceId,
        vpc_id: o.vpcId as string,
        ...(o.subnetId !== undefined ? { subnet_id: o.subnetId as string } : {}),
        ...(o.portIp !== undefined ? { port_ip: o.portIp as string } : {}),
        ...(o.enableDns ? { enable_dns: true } : {}),
        ...(whitelist ? { whitelist, enable_whitelist: true } : {}),
        ...(o.description !== undefined ? { description: o.description as string } : {}),
        ...(o.tag !== undefined ? { tags: o.tag as Array<{ key: string; value: string }> } : {}),
      }
      let endpoint = await ctx.client.endpoints.create(body)
      if (ctx.wait) endpoint = await ctx.waitFor(`creating endpoint ${endpoint.id}`, (w) => waitForEndpointSettled(ctx.client, endpoint.id, w))
      if (ctx.json) return printJson(endpoint)
      printEndpoint(endpoint)
    },
  })

  apiCommand(endpoints, {
    name: 'list',
    description: "list your project's endpoints",
    examples: ['vpcep endpoints list', `vpcep endpoints list --vpc-id ${VPC} --json`],
    options: (c) =>
      c
        .option('--service-name <text>', 'only endpoints to services whose name contains this text')
        .option('--vpc-id <uuid>', 'only endpoints in this VPC')
        .option('--id <endpoint-id>', 'only this endpoint')
        .option('--limit <n>', 'page size (1-1000)', parseCount, 1000)
        .option('--offset <n>', 'records to skip', parseCount),
    action: async (ctx, _args, o) => {
      const page = await ctx.client.endpoints.list({
        endpoint_service_name: o.serviceName as string | undefined,
        vpc_id: o.vpcId as string | undefined,
        id: o.id as string | undefined,
        limit: o.limit as number,
        offset: o.offset as number | undefined,
      })
      if (ctx.json) return printJson(page)
      printTable(page.endpoints, [
        { header: 'ID', value: (e) => e.id },
        { header: 'STATUS', value: (e) => e.status, status: true },
        { header: 'SERVICE', value: (e) => e.endpoint_service_name },
        { header: 'IP', value: (e) => e.ip },
        { header: 'FORWARDING', value: (e) => (e.forwarding ? e.forwarding.listeners.map((l) => l.listen).join(',') || e.forwarding.state : '-') },
        { header: 'VPC', value: (e) => e.vpc_id },
        { header: 'CREATED', value: (e) => e.created_at },
      ])
      pageNote(page.endpoints.length, page.total_count, (o.offset as number | undefined) ?? 0)
    },
  })

  apiCommand(endpoints, {
    name: 'show <endpoint-id>',
    description: 'show one endpoint',
    examples: [`vpcep endpoints show ${ENDPOINT}`],
    action: async (ctx, [id]) => {
      const endpoint = await ctx.client.endpoints.show(id!)
      if (ctx.json) return printJson(endpoint)
      printEndpoint(endpoint)
    },
  })

  apiCommand(endpoints, {
    name: 'update <endpoint-id>',
    description: "replace an endpoint's source address whitelist (its IP ACL), or turn it on or off",
    examples: [`vpcep endpoints update ${ENDPOINT} --whitelist 10.0.0.0/24 --whitelist 192.168.1.7`, `vpcep endpoints update ${ENDPOINT} --clear-whitelist --disable-whitelist`],
    options: (c) =>
      c
        .option('--whitelist <ip-or-cidr>', 'allowed source address, repeatable; replaces the list and turns the ACL on', collect)
        .option('--clear-whitelist', 'empty the list')
        .option('--enable-whitelist', 'turn the ACL on')
        .option('--disable-whitelist', 'turn the ACL off'),
    action: async (ctx, [id], o) => {
      const whitelist = o.whitelist as string[] | undefined
      if (whitelist && o.clearWhitelist) throw new UsageError('give --whitelist or --clear-whitelist, not both')
      if (o.enableWhitelist && o.disableWhitelist) throw new UsageError('give --enable-whitelist or --disable-whitelist, not both')
      const enable = o.disableWhitelist ? false : o.enableWhitelist || whitelist ? true : undefined
      const body: UpdateEndpointRequest = {
        ...(whitelist ? { whitelist } : o.clearWhitelist ? { whitelist: [] } : {}),
        ...(enable !== undefined ? { enable_whitelist: enable } : {}),
      }
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --whitelist, --clear-whitelist, --enable-whitelist or --disable-whitelist')
      const endpoint = await ctx.client.endpoints.update(id!, body)
      if (ctx.json) return printJson(endpoint)
      printEndpoint(endpoint)
    },
  })

  apiCommand(endpoints, {
    name: 'delete <endpoint-id>',
    description: 'delete an endpoint',
    examples: [`vpcep endpoints delete ${ENDPOINT} --wait`],
    wait: 'wait until the endpoint is gone',
    action: async (ctx, [id]) => {
      await ctx.client.endpoints.delete(id!)
      if (ctx.wait) await ctx.waitFor(`deleting endpoint ${id}`, (w) => waitForEndpointGone(ctx.client, id!, w))
      if (!ctx.json) println(ctx.wait ? `Deleted endpoint ${id}.` : `Deleting endpoint ${id}.`)
    },
  })
}
