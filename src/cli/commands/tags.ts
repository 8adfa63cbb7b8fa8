import type { Command } from 'commander'
import type { ResourceTag, ResourceType } from '../../client/types.ts'
import { apiCommand } from '../api.ts'
import { UsageError } from '../errors.ts'
import { parseResourceType } from '../parse.ts'
import { printJson, printTable, println } from '../output.ts'

const SERVICE = '4189d3c2-8882-4871-a3c2-d380272eed83'

function resourceType(value: string | undefined): ResourceType {
  try {
    return parseResourceType(value ?? '')
  } catch {
    throw new UsageError(`the resource type is "service" or "endpoint", got "${value}"`)
  }
}

const NOUN: Record<ResourceType, string> = { endpoint_service: 'service', endpoint: 'endpoint' }

export function registerTags(program: Command): void {
  const tags = program.command('tags').description('tags of services and endpoints')
  tags.addHelpText('after', `\nExample:\n  $ vpcep tags add service ${SERVICE} env=prod team=payments\n`)

  apiCommand(tags, {
    name: 'list <type> [resource-id]',
    description: "a resource's tags; without an id, every key in use on the project's resources of that type (service or endpoint)",
    examples: [`vpcep tags list service ${SERVICE}`, 'vpcep tags list endpoint --json'],
    action: async (ctx, [type, id]) => {
      const rt = resourceType(type)
      if (id === undefined) {
        const result = await ctx.client.tags.list(rt)
        if (ctx.json) return printJson(result)
        printTable(result.tags, [
          { header: 'KEY', value: (t) => t.key },
          { header: 'VALUES', value: (t) => t.values.join(', ') },
        ])
        return
      }
      const resource = rt === 'endpoint' ? await ctx.client.endpoints.show(id) : await ctx.client.services.show(id)
      if (ctx.json) return printJson({ tags: resource.tags })
      printTable(resource.tags, [
        { header: 'KEY', value: (t) => t.key },
        { header: 'VALUE', value: (t) => t.value },
      ])
    },
  })

  apiCommand(tags, {
    name: 'add <type> <resource-id> <key=value...>',
    description: 'tag a service or endpoint; a key it already has gets the new value',
    examples: [`vpcep tags add service ${SERVICE} env=prod team=payments`],
    action: async (ctx, [type, id, ...pairs]) => {
      const rt = resourceType(type)
      const list = pairs.map((pair) => {
        const eq = pair.indexOf('=')
        if (eq <= 0) throw new UsageError(`expected KEY=VALUE, got "${pair}"`)
        return { key: pair.slice(0, eq), value: pair.slice(eq + 1) }
      })
      await ctx.client.tags.add(rt, id!, list)
      if (!ctx.json) println(`Tagged ${NOUN[rt]} ${id}: ${list.map((t) => `${t.key}=${t.value}`).join(', ')}`)
    },
  })

  apiCommand(tags, {
    name: 'remove <type> <resource-id> <key[=value]...>',
    description: 'remove tags by key (or by key and value); tags that are not there are ignored',
    examples: [`vpcep tags remove service ${SERVICE} env team=payments`],
    action: async (ctx, [type, id, ...items]) => {
      const rt = resourceType(type)
      const list: ResourceTag[] = items.map((item) => {
        const eq = item.indexOf('=')
        return eq < 0 ? { key: item } : { key: item.slice(0, eq), value: item.slice(eq + 1) }
      })
      await ctx.client.tags.remove(rt, id!, list)
      if (!ctx.json) println(`Removed from ${NOUN[rt]} ${id}: ${items.join(', ')}`)
    },
  })
}
