import type { FastifyInstance, FastifyRequest } from 'fastify'

/*
 * Request bodies are tolerant of fields vpcep does not know: newer SDKs and the Terraform provider send
 * optional fields with each release (`snat_network_id`, `port_ip`, `policy_*`, …), and refusing them
 * would break those clients outright. Every field a body schema declares is still validated strictly;
 * the others are removed before validation, so no handler ever sees them, and logged at debug level.
 */

interface SchemaNode {
  type?: unknown
  properties?: Record<string, SchemaNode>
  items?: SchemaNode
  additionalProperties?: unknown
}

/**
 * Deletes from `value` (in place) every property the schema does not declare, at any depth of objects
 * and arrays the schema describes, and answers their paths (`tags[0].colour`). Parts of the schema it
 * cannot describe structurally (unions, free-form objects) are left as they are.
 */
export function stripUnknownFields(schema: SchemaNode | undefined, value: unknown, path = ''): string[] {
  if (!schema || value === null || typeof value !== 'object') return []
  if (Array.isArray(value)) {
    if (!schema.items) return []
    return value.flatMap((item, index) => stripUnknownFields(schema.items, item, `${path}[${index}]`))
  }
  // A free-form object (a policy statement's own keys) keeps what it was given.
  if (!schema.properties || schema.additionalProperties === true) return []
  const unknown: string[] = []
  const record = value as Record<string, unknown>
  for (const name of Object.keys(record)) {
    const where = path ? `${path}.${name}` : name
    const declared = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined
    if (declared) unknown.push(...stripUnknownFields(declared, record[name], where))
    else {
      unknown.push(where)
      delete record[name]
    }
  }
  return unknown
}

function bodySchemaOf(request: FastifyRequest): SchemaNode | undefined {
  return (request.routeOptions.schema as { body?: SchemaNode } | undefined)?.body
}

/** Strips unknown body fields before validation on every route that declares a body schema. */
export function registerUnknownFieldTolerance(server: FastifyInstance): void {
  server.addHook('preValidation', async (request) => {
    const schema = bodySchemaOf(request)
    if (!schema) return
    const ignored = stripUnknownFields(schema, request.body)
    if (ignored.length > 0) request.log.debug({ ignoredFields: ignored.slice(0, 20).map((f) => f.slice(0, 80)) }, 'ignored unknown body fields')
  })
}
