import { Option, type Command } from 'commander'
import type { QuotaType } from '../../client/types.ts'
import { apiCommand } from '../api.ts'
import { printJson, printTable } from '../output.ts'

export function registerQuotas(program: Command): void {
  apiCommand(program, {
    name: 'quotas',
    description: "your project's limits: services and endpoints used and allowed",
    examples: ['vpcep quotas', 'vpcep quotas --type endpoint --json'],
    options: (c) => c.addOption(new Option('--type <type>', 'only this resource type').choices(['endpoint_service', 'endpoint'])),
    action: async (ctx, _args, o) => {
      const result = await ctx.client.quotas(o.type as QuotaType | undefined)
      if (ctx.json) return printJson(result)
      printTable(result.quotas.resources, [
        { header: 'TYPE', value: (q) => q.type },
        { header: 'USED', value: (q) => String(q.used) },
        { header: 'QUOTA', value: (q) => String(q.quota) },
        { header: 'LEFT', value: (q) => String(Math.max(0, q.quota - q.used)) },
      ])
    },
  })
}
