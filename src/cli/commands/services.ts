import { Option, type Command } from 'commander'
import { SERVER_TYPES, SERVICE_STATUSES, TCP_PROXY_MODES } from '../../model/resources.ts'
import { waitForServiceAvailable, waitForServiceGone } from '../../client/waiters.ts'
import type { CreateServiceRequest, EndpointService, UpdateServiceRequest } from '../../client/types.ts'
import { apiCommand } from '../api.ts'
import { UsageError } from '../errors.ts'
import { parseCount, parsePort, parseTag, type PortMapping } from '../parse.ts'
import { pageNote, printFields, printJson, printTable, println, tagText, yesNo } from '../output.ts'

const EXAMPLE_PORT = '6f5c0b2e-3d7a-4c44-9b1e-2f8a9c7d1e30'
const EXAMPLE_VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'

export function portText(ports: Array<{ client_port: number; server_port: number; protocol: string }>): string {
  return ports.map((p) => `${p.client_port}→${p.server_port}/${p.protocol}`).join(',')
}

export function printService(service: EndpointService): void {
  printFields([
    ['id', service.id],
    ['name', service.service_name],
    ['status', service.status],
    ['type', `${service.service_type} (backend ${service.server_type})`],
    ['port_id', service.port_id],
    ['vpc_id', service.vpc_id],
    ['ip', service.ip],
    ['ports', service.ports.map((p) => `${p.client_port} → ${p.server_port}/${p.protocol}`)],
    ['approval', yesNo(service.approval_enabled)],
    ['connections', String(service.connection_count)],
    ['tcp_proxy', service.tcp_proxy],
    ['description', service.description],
    ['tags', tagText(service.tags)],
    ['created', service.created_at],
    ['updated', service.updated_at],
    ...(service.error?.length ? ([['error', service.error.map((e) => `${e.code} ${e.message}`)]] as Array<[string, string[]]>) : []),
  ])
}

export function registerServices(program: Command): void {
  const services = program.command('services').description('endpoint services you provide (provider side)')
  services.addHelpText('after', '\nExample:\n  $ vpcep services list\n')

  apiCommand(services, {
    name: 'create',
    description: 'create an endpoint service in front of a backend port',
    examples: [
      `vpcep services create --port-id ${EXAMPLE_PORT} --vpc-id ${EXAMPLE_VPC} --port 8080:80 --name web --wait`,
      `vpcep services create --port-id ${EXAMPLE_PORT} --vpc-id ${EXAMPLE_VPC} --port 53:53/udp --no-approval --json`,
    ],
    options: (c) =>
      c
        .requiredOption('--port-id <uuid>', 'backend: the port (NIC or load balancer VIP port) id')
        .requiredOption('--vpc-id <uuid>', "the backend's VPC id")
        .requiredOption('--port <client:server[/proto]>', 'port mapping, repeatable: endpoint port : backend port, TCP unless /udp', parsePort)
        .addOption(new Option('--server-type <type>', 'backend type').choices(SERVER_TYPES).default('VM'))
        .option('--name <short-name>', 'short name (up to 16 of A-Z a-z 0-9 _ -); the full name is region.name.id')
        .option('--approval', 'connections wait for your approval (the default)')
        .option('--no-approval', 'connections are accepted at once')
        .option('--description <text>', 'free text')
        .addOption(new Option('--tcp-proxy <mode>', 'how client addresses reach the backend').choices(TCP_PROXY_MODES))
        .option('--ip <address>', 'server address, for interface services addressed by IP or domain')
        .option('--tag <key=value>', 'tag, repeatable', parseTag),
    wait: 'wait until the service is available',
    action: async (ctx, _args, o) => {
      const body: CreateServiceRequest = {
        port_id: o.portId as string,
        vpc_id: o.vpcId as string,
        server_type: o.serverType as CreateServiceRequest['server_type'],
        ports: o.port as PortMapping[],
        ...(o.name !== undefined ? { service_name: o.name as string } : {}),
        ...(o.approval !== undefined ? { approval_enabled: o.approval as boolean } : {}),
        ...(o.description !== undefined ? { description: o.description as string } : {}),
        ...(o.tcpProxy !== undefined ? { tcp_proxy: o.tcpProxy as CreateServiceRequest['tcp_proxy'] } : {}),
        ...(o.ip !== undefined ? { ip: o.ip as string } : {}),
        ...(o.tag !== undefined ? { tags: o.tag as Array<{ key: string; value: string }> } : {}),
      }
      let service = await ctx.client.services.create(body)
      if (ctx.wait) service = await ctx.waitFor(`creating service ${service.id}`, (w) => waitForServiceAvailable(ctx.client, service.id, w))
      if (ctx.json) return printJson(service)
      printService(service)
    },
  })

  apiCommand(services, {
    name: 'list',
    description: "list your project's endpoint services",
    examples: ['vpcep services list', 'vpcep services list --status available --json'],
    options: (c) =>
      c
        .option('--name <text>', 'only names containing this text (case-insensitive)')
        .addOption(new Option('--status <status>', 'only services in this status').choices(SERVICE_STATUSES))
        .option('--id <service-id>', 'only this service')
        .option('--limit <n>', 'page size (1-1000)', parseCount, 1000)
        .option('--offset <n>', 'records to skip', parseCount),
    action: async (ctx, _args, o) => {
      const page = await ctx.client.services.list({
        endpoint_service_name: o.name as string | undefined,
        status: o.status as EndpointService['status'] | undefined,
        id: o.id as string | undefined,
        limit: o.limit as number,
        offset: o.offset as number | undefined,
      })
      if (ctx.json) return printJson(page)
      printTable(page.endpoint_services, [
        { header: 'ID', value: (s) => s.id },
        { header: 'NAME', value: (s) => s.service_name },
        { header: 'STATUS', value: (s) => s.status, status: true },
        { header: 'BACKEND', value: (s) => s.server_type },
        { header: 'APPROVAL', value: (s) => yesNo(s.approval_enabled) },
        { header: 'CONNECTIONS', value: (s) => String(s.connection_count) },
        { header: 'PORTS', value: (s) => portText(s.ports) },
        { header: 'CREATED', value: (s) => s.created_at },
      ])
      pageNote(page.endpoint_services.length, page.total_count, (o.offset as number | undefined) ?? 0)
    },
  })

  apiCommand(services, {
    name: 'show <service-id>',
    description: 'show one endpoint service',
    examples: ['vpcep services show 4189d3c2-8882-4871-a3c2-d380272eed83'],
    action: async (ctx, [id]) => {
      const service = await ctx.client.services.show(id!)
      if (ctx.json) return printJson(service)
      printService(service)
    },
  })

  apiCommand(services, {
    name: 'update <service-id>',
    description: 'change an endpoint service; only the given settings change',
    examples: ['vpcep services update 4189d3c2-8882-4871-a3c2-d380272eed83 --no-approval --port 8080:80 --port 8443:443'],
    options: (c) =>
      c
        .option('--approval', 'new connections wait for approval')
        .option('--no-approval', 'new connections are accepted at once')
        .option('--name <short-name>', 'new short name')
        .option('--port <client:server[/proto]>', 'port mapping, repeatable; replaces all mappings', parsePort)
        .option('--port-id <uuid>', 'new backend port id')
        .addOption(new Option('--tcp-proxy <mode>', 'how client addresses reach the backend').choices(TCP_PROXY_MODES))
        .option('--description <text>', 'free text')
        .option('--ip <address>', 'new server address'),
    action: async (ctx, [id], o) => {
      const body: UpdateServiceRequest = {
        ...(o.approval !== undefined ? { approval_enabled: o.approval as boolean } : {}),
        ...(o.name !== undefined ? { service_name: o.name as string } : {}),
        ...(o.port !== undefined ? { ports: o.port as PortMapping[] } : {}),
        ...(o.portId !== undefined ? { port_id: o.portId as string } : {}),
        ...(o.tcpProxy !== undefined ? { tcp_proxy: o.tcpProxy as UpdateServiceRequest['tcp_proxy'] } : {}),
        ...(o.description !== undefined ? { description: o.description as string } : {}),
        ...(o.ip !== undefined ? { ip: o.ip as string } : {}),
      }
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one of --approval, --no-approval, --name, --port, --port-id, --tcp-proxy, --description, --ip')
      const service = await ctx.client.services.update(id!, body)
      if (ctx.json) return printJson(service)
      printService(service)
    },
  })

  apiCommand(services, {
    name: 'rename <service-id> [short-name]',
    description: "set a service's short name (none given: clear it)",
    examples: ['vpcep services rename 4189d3c2-8882-4871-a3c2-d380272eed83 web2'],
    action: async (ctx, [id, name]) => {
      const result = await ctx.client.services.rename(id!, name ?? '')
      if (ctx.json) return printJson(result)
      println(`Renamed service ${id}: ${result.endpoint_service_name || '(no short name)'}`)
    },
  })

  apiCommand(services, {
    name: 'delete <service-id>',
    description: 'delete an endpoint service (refused while it has accepted or creating endpoints)',
    examples: ['vpcep services delete 4189d3c2-8882-4871-a3c2-d380272eed83 --wait'],
    wait: 'wait until the service is gone',
    action: async (ctx, [id]) => {
      await ctx.client.services.delete(id!)
      if (ctx.wait) await ctx.waitFor(`deleting service ${id}`, (w) => waitForServiceGone(ctx.client, id!, w))
      if (!ctx.json) println(ctx.wait ? `Deleted service ${id}.` : `Deleting service ${id}.`)
    },
  })

  apiCommand(services, {
    name: 'lookup',
    description: "find a service to connect to by its full name or id (anyone's, as a consumer sees it)",
    examples: ['vpcep services lookup --name cn-north-4.web.4189d3c2-8882-4871-a3c2-d380272eed83'],
    options: (c) => c.option('--name <full-name>', 'full service name, region.name.id').option('--id <service-id>', 'service id'),
    action: async (ctx, _args, o) => {
      if ((o.name === undefined) === (o.id === undefined)) throw new UsageError('give exactly one of --name and --id')
      const found = await ctx.client.services.describe(o.id !== undefined ? { id: o.id as string } : { endpoint_service_name: o.name as string })
      if (ctx.json) return printJson(found)
      printFields([
        ['id', found.id],
        ['name', found.service_name],
        ['type', found.service_type],
        ['charged', yesNo(found.is_charge)],
        ['policy', yesNo(found.enable_policy)],
        ['created', found.created_at],
      ])
    },
  })

  apiCommand(services, {
    name: 'public',
    description: "list the operator's public services (open to every account)",
    examples: ['vpcep services public', 'vpcep services public --name obs'],
    options: (c) =>
      c
        .option('--name <text>', 'only names containing this text')
        .option('--limit <n>', 'page size (1-1000)', parseCount, 1000)
        .option('--offset <n>', 'records to skip', parseCount),
    action: async (ctx, _args, o) => {
      const page = await ctx.client.services.listPublic({ endpoint_service_name: o.name as string | undefined, limit: o.limit as number, offset: o.offset as number | undefined })
      if (ctx.json) return printJson(page)
      printTable(page.endpoint_services, [
        { header: 'ID', value: (s) => s.id },
        { header: 'NAME', value: (s) => s.service_name },
        { header: 'TYPE', value: (s) => s.service_type },
        { header: 'OWNER', value: (s) => s.owner },
        { header: 'CHARGED', value: (s) => yesNo(s.is_charge) },
      ])
      pageNote(page.endpoint_services.length, page.total_count, (o.offset as number | undefined) ?? 0)
    },
  })
}
