import { Option, type Command } from 'commander'
import { EVENT_TYPES } from '../../events/catalog.ts'
import type { EventDelivery, EventSubscription } from '../../client/subscriptions.ts'
import { apiCommand } from '../api.ts'
import { UsageError } from '../errors.ts'
import { parseCount } from '../parse.ts'
import { note, pageNote, printFields, printJson, printTable, yesNo } from '../output.ts'

const SERVICE = '4189d3c2-8882-4871-a3c2-d380272eed83'
const SUBSCRIPTION = '0b6d2a51-7c1e-4f0e-9a35-1f1b6ad9c9e2'
const DELIVERY = '8978c82d-b37a-4b84-b03c-a3a14ae99546'
const ALL = 'all'

function eventTypes(value: string): string[] {
  const types = value === ALL ? [...EVENT_TYPES] : value.split(',').map((t) => t.trim()).filter(Boolean)
  const unknown = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t))
  if (unknown !== undefined) throw new UsageError(`--events: unknown event type "${unknown}"; known: ${EVENT_TYPES.join(', ')} (or "${ALL}")`)
  return types
}

function target(s: EventSubscription): string {
  const kind = s.resource_type === 'endpoint_service' ? 'service' : 'endpoint'
  return s.resource_id === null ? `every ${kind}` : `${kind} ${s.resource_id}`
}

function printSubscription(s: EventSubscription): void {
  printFields([
    ['id', s.id],
    ['name', s.name],
    ['url', s.url],
    ['for', target(s)],
    ['events', s.event_types],
    ['enabled', yesNo(s.enabled)],
    ['description', s.description],
    ['created', s.created_at],
    ['updated', s.updated_at],
  ])
}

function printDeliveries(deliveries: EventDelivery[]): void {
  printTable(deliveries, [
    { header: 'DELIVERY', value: (d) => d.id },
    { header: 'STATUS', value: (d) => d.status, status: true },
    { header: 'EVENT', value: (d) => d.event_type },
    { header: 'SUBJECT', value: (d) => String(d.event.subject ?? '') },
    { header: 'ATTEMPTS', value: (d) => String(d.attempts) },
    { header: 'LAST', value: (d) => (d.last_status_code !== null ? `HTTP ${d.last_status_code}` : (d.last_error ?? '')) },
    { header: 'CREATED', value: (d) => d.created_at },
  ])
}

export function registerSubscriptions(program: Command): void {
  const subscriptions = program.command('subscriptions').description('webhooks for connection events, their deliveries and dead letters (docs/events.md)')
  subscriptions.addHelpText('after', `\nExample:\n  $ vpcep subscriptions create --url http://127.0.0.1:8787/ --service ${SERVICE} --events connection.requested\n`)

  apiCommand(subscriptions, {
    name: 'create',
    description: 'subscribe a webhook URL to events of a service (provider) or endpoint (consumer); prints the signing secret once',
    examples: [
      `vpcep subscriptions create --url http://127.0.0.1:8787/ --service ${SERVICE} --events connection.requested,connection.deleted`,
      'vpcep subscriptions create --url http://127.0.0.1:8787/ --all-endpoints --events endpoint.available,endpoint.failed --json',
    ],
    options: (c) =>
      c
        .requiredOption('--url <url>', 'where events are POSTed (http or https)')
        .option('--events <types>', `comma-separated event types, or "${ALL}": ${EVENT_TYPES.join(', ')}`, ALL)
        .option('--service <service-id>', 'events of this endpoint service of yours')
        .option('--endpoint-id <endpoint-id>', 'events of this endpoint of yours')
        .option('--all-services', 'events of every endpoint service of the project')
        .option('--all-endpoints', 'events of every endpoint of the project')
        .option('--name <name>', 'a name for people')
        .option('--description <text>', 'a description (no < or >)')
        .option('--disabled', 'create it switched off'),
    action: async (ctx, _args, o) => {
      const chosen = [o.service, o.endpointId, o.allServices, o.allEndpoints].filter((v) => v !== undefined)
      if (chosen.length !== 1) throw new UsageError('give exactly one of --service, --endpoint-id, --all-services, --all-endpoints')
      const resourceType = o.service !== undefined || o.allServices ? 'endpoint_service' : 'endpoint'
      let types = eventTypes(o.events as string)
      if (resourceType === 'endpoint' && o.events === ALL) types = types.filter((t) => !t.startsWith('service.'))
      const created = await ctx.client.subscriptions.create({
        url: o.url as string,
        event_types: types,
        resource_type: resourceType,
        resource_id: (o.service ?? o.endpointId ?? null) as string | null,
        name: o.name as string | undefined,
        description: o.description as string | undefined,
        enabled: o.disabled ? false : undefined,
      })
      if (ctx.json) return printJson(created)
      printSubscription(created.subscription)
      printFields([['secret', created.secret]])
      note('The secret is shown only now: keep it where your receiver can read it (rotate-secret makes a new one).')
    },
  })

  apiCommand(subscriptions, {
    name: 'list',
    description: "list the project's subscriptions",
    examples: ['vpcep subscriptions list', 'vpcep subscriptions list --json'],
    options: (c) => c.option('--limit <n>', 'page size (1-500)', parseCount, 500).option('--offset <n>', 'records to skip', parseCount),
    action: async (ctx, _args, o) => {
      const page = await ctx.client.subscriptions.list({ limit: o.limit as number, offset: o.offset as number | undefined })
      if (ctx.json) return printJson(page)
      printTable(page.subscriptions, [
        { header: 'ID', value: (s) => s.id },
        { header: 'NAME', value: (s) => s.name },
        { header: 'URL', value: (s) => s.url },
        { header: 'FOR', value: target },
        { header: 'EVENTS', value: (s) => s.event_types.join(',') },
        { header: 'ENABLED', value: (s) => yesNo(s.enabled) },
      ])
      pageNote(page.subscriptions.length, page.total_count, (o.offset as number | undefined) ?? 0)
    },
  })

  apiCommand(subscriptions, {
    name: 'show <subscription-id>',
    description: 'show a subscription',
    examples: [`vpcep subscriptions show ${SUBSCRIPTION}`],
    action: async (ctx, [id]) => {
      const shown = await ctx.client.subscriptions.show(id!)
      if (ctx.json) return printJson(shown)
      printSubscription(shown.subscription)
    },
  })

  apiCommand(subscriptions, {
    name: 'update <subscription-id>',
    description: "change a subscription's URL, events, name, description, or switch it on or off",
    examples: [`vpcep subscriptions update ${SUBSCRIPTION} --disable`, `vpcep subscriptions update ${SUBSCRIPTION} --events ${ALL} --url https://hooks.example.com/vpcep`],
    options: (c) =>
      c
        .option('--url <url>', 'new URL')
        .option('--events <types>', 'new event types (comma-separated, or "all")')
        .option('--name <name>', 'new name')
        .option('--description <text>', 'new description')
        .addOption(new Option('--enable', 'switch it on').conflicts('disable'))
        .option('--disable', 'switch it off: no new deliveries, pending ones wait'),
    action: async (ctx, [id], o) => {
      const changes = {
        url: o.url as string | undefined,
        event_types: o.events === undefined ? undefined : eventTypes(o.events as string),
        name: o.name as string | undefined,
        description: o.description as string | undefined,
        enabled: o.enable ? true : o.disable ? false : undefined,
      }
      if (Object.values(changes).every((v) => v === undefined)) throw new UsageError('nothing to change: give --url, --events, --name, --description, --enable or --disable')
      const updated = await ctx.client.subscriptions.update(id!, changes)
      if (ctx.json) return printJson(updated)
      printSubscription(updated.subscription)
    },
  })

  apiCommand(subscriptions, {
    name: 'delete <subscription-id>',
    description: 'delete a subscription and its deliveries',
    examples: [`vpcep subscriptions delete ${SUBSCRIPTION}`],
    action: async (ctx, [id]) => {
      await ctx.client.subscriptions.delete(id!)
      if (ctx.json) return printJson({})
      note(`Deleted subscription ${id}.`)
    },
  })

  apiCommand(subscriptions, {
    name: 'rotate-secret <subscription-id>',
    description: 'make a new signing secret (printed once); the old one stops signing at once',
    examples: [`vpcep subscriptions rotate-secret ${SUBSCRIPTION} --json`],
    action: async (ctx, [id]) => {
      const rotated = await ctx.client.subscriptions.rotateSecret(id!)
      if (ctx.json) return printJson(rotated)
      printFields([['secret', rotated.secret]])
    },
  })

  apiCommand(subscriptions, {
    name: 'deliveries',
    description: 'list deliveries: pending, delivered, or dead letters (--status dead)',
    examples: ['vpcep subscriptions deliveries --status dead', `vpcep subscriptions deliveries --subscription ${SUBSCRIPTION} --json`],
    options: (c) =>
      c
        .addOption(new Option('--status <status>', 'only deliveries in this status').choices(['pending', 'delivered', 'dead']))
        .option('--subscription <subscription-id>', 'only deliveries of this subscription')
        .option('--limit <n>', 'page size (1-500)', parseCount, 100)
        .option('--offset <n>', 'records to skip', parseCount),
    action: async (ctx, _args, o) => {
      const page = await ctx.client.subscriptions.deliveries({
        status: o.status as EventDelivery['status'] | undefined,
        subscription_id: o.subscription as string | undefined,
        limit: o.limit as number,
        offset: o.offset as number | undefined,
      })
      if (ctx.json) return printJson(page)
      printDeliveries(page.deliveries)
      pageNote(page.deliveries.length, page.total_count, (o.offset as number | undefined) ?? 0)
    },
  })

  apiCommand(subscriptions, {
    name: 'redeliver <delivery-id>',
    description: 'send a dead (or delivered) event again, from a first attempt',
    examples: [`vpcep subscriptions redeliver ${DELIVERY}`],
    action: async (ctx, [id]) => {
      const again = await ctx.client.subscriptions.redeliver(id!)
      if (ctx.json) return printJson(again)
      printDeliveries([again.delivery])
    },
  })
}
