import { Option, type Command } from 'commander'
import type { Permission, PermissionType } from '../../client/types.ts'
import { apiCommand } from '../api.ts'
import { UsageError } from '../errors.ts'
import { collect, parseCount, permissionString } from '../parse.ts'
import { pageNote, printJson, printTable, println } from '../output.ts'

const SERVICE = '4189d3c2-8882-4871-a3c2-d380272eed83'
const DOMAIN = '5fc973eea581490997e82ea11a1d0101'

function printPermissions(records: Permission[], empty = '(none)'): void {
  printTable(
    records,
    [
      { header: 'ID', value: (p) => p.id },
      { header: 'PERMISSION', value: (p) => p.permission },
      { header: 'TYPE', value: (p) => p.permission_type },
      { header: 'DESCRIPTION', value: (p) => p.description },
      { header: 'CREATED', value: (p) => p.created_at },
    ],
    empty,
  )
}

const typeOption = () => new Option('--type <type>', 'kind of every entry: domainId (accounts) or orgPath (organizations)').choices(['domainId', 'orgPath'])

export function registerPermissions(program: Command): void {
  const permissions = program.command('permissions').description("a service's whitelist: the accounts that may connect to it")
  permissions.addHelpText('after', `\nExample:\n  $ vpcep permissions add ${SERVICE} ${DOMAIN}\n`)

  apiCommand(permissions, {
    name: 'list <service-id>',
    description: "list a service's whitelist records",
    examples: [`vpcep permissions list ${SERVICE}`],
    options: (c) =>
      c
        .option('--filter <text>', 'only entries containing this text')
        .option('--limit <n>', 'page size (1-500)', parseCount, 500)
        .option('--offset <n>', 'records to skip', parseCount),
    action: async (ctx, [serviceId], o) => {
      const page = await ctx.client.permissions.list(serviceId!, { permission: o.filter as string | undefined, limit: o.limit as number, offset: o.offset as number | undefined })
      if (ctx.json) return printJson(page)
      printPermissions(page.permissions, '(none: only your own account may connect)')
      pageNote(page.permissions.length, page.total_count, (o.offset as number | undefined) ?? 0)
    },
  })

  apiCommand(permissions, {
    name: 'add <service-id> <entry...>',
    description: 'allow accounts to connect: each entry is an account (domain) id, *, iam:domain::<id> or organizations:orgPath::<path>',
    examples: [`vpcep permissions add ${SERVICE} ${DOMAIN} --description "team B"`, `vpcep permissions add ${SERVICE} '*'`],
    options: (c) => c.option('--description <text>', 'description of the new records').addOption(typeOption()),
    action: async (ctx, [serviceId, ...entries], o) => {
      const records = entries.map((e) => ({ permission: permissionString(e), ...(o.description !== undefined ? { description: o.description as string } : {}) }))
      const result = await ctx.client.permissions.batchCreate(serviceId!, records, o.type as PermissionType | undefined)
      if (ctx.json) return printJson(result)
      printPermissions(result.permissions)
    },
  })

  apiCommand(permissions, {
    name: 'remove <service-id> [record-id...]',
    description: 'remove whitelist records by id (all or nothing), or entries by their text with --permission',
    examples: [`vpcep permissions remove ${SERVICE} b9b6f264-3562-4f62-ba84-c128da20d18d`, `vpcep permissions remove ${SERVICE} --permission ${DOMAIN}`],
    options: (c) => c.option('--permission <entry>', 'an entry to remove by its text (repeatable); an account id means iam:domain::<id>', collect).addOption(typeOption()),
    action: async (ctx, [serviceId, ...ids], o) => {
      const strings = (o.permission as string[] | undefined)?.map(permissionString)
      if (ids.length > 0 && strings) throw new UsageError('give record ids or --permission entries, not both')
      if (ids.length === 0 && !strings) throw new UsageError('nothing to remove: give record ids (see "vpcep permissions list") or --permission entries')
      if (strings) {
        const result = await ctx.client.permissions.remove(serviceId!, strings, o.type as PermissionType | undefined)
        if (ctx.json) return printJson(result)
        println(`Removed ${strings.join(', ')}. The whitelist now has ${result.permissions.length} entr${result.permissions.length === 1 ? 'y' : 'ies'}${result.permissions.length ? `: ${result.permissions.join(', ')}` : ''}.`)
        return
      }
      const result = await ctx.client.permissions.batchDelete(serviceId!, ids)
      if (ctx.json) return printJson(result)
      println(`Removed ${result.permissions.length} record${result.permissions.length === 1 ? '' : 's'}:`)
      printPermissions(result.permissions)
    },
  })

  apiCommand(permissions, {
    name: 'describe <service-id> <record-id>',
    description: "set a whitelist record's description",
    examples: [`vpcep permissions describe ${SERVICE} b9b6f264-3562-4f62-ba84-c128da20d18d --description "team B, until March"`],
    options: (c) => c.requiredOption('--description <text>', 'the new description (up to 256 characters; no < or >)'),
    action: async (ctx, [serviceId, recordId], o) => {
      const result = await ctx.client.permissions.describe(serviceId!, recordId!, o.description as string)
      if (ctx.json) return printJson(result)
      printPermissions(result.permissions)
    },
  })
}
