import type { FastifyServerOptions } from 'fastify'
import fastJsonStringify from 'fast-json-stringify'

export type CompilerFactory<K extends 'buildValidator' | 'buildSerializer'> = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>[K]

/**
 * Response serializers, one per schema object rather than one per route and status: every route shares
 * the same error schemas, so start-up compiles a few dozen serializers instead of hundreds. Same
 * fast-json-stringify, same output; only when no shared schemas are registered (none are).
 */
const serializers = new WeakMap<object, (data: unknown) => string>()
export const serializerFactory = ((externalSchemas: Record<string, fastJsonStringify.Schema> | undefined, options: fastJsonStringify.Options | undefined) => {
  const shared = externalSchemas !== undefined && Object.keys(externalSchemas).length > 0
  const fjsOptions: fastJsonStringify.Options = { ...options, schema: externalSchemas }
  return ({ schema }: { schema: fastJsonStringify.AnySchema }) => {
    if (shared || typeof schema !== 'object' || schema === null) return fastJsonStringify(schema, fjsOptions)
    let serializer = serializers.get(schema)
    if (serializer === undefined) {
      serializer = fastJsonStringify(schema, fjsOptions)
      serializers.set(schema, serializer)
    }
    return serializer
  }
}) as unknown as CompilerFactory<'buildSerializer'>
