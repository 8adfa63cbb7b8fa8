import { fail } from './errors.ts'
import type { Tag } from '../model/resources.ts'

/** Tags per resource. Create-service docs allow 20 and the tag API 10; one store needs one limit (docs/decisions.md). */
export const MAX_TAGS_PER_RESOURCE = 20

const KEY_CHARS = /^[\p{L}\p{N} _.:=+\-@]+$/u
const VALUE_CHARS = /^[\p{L}\p{N} _.:=+\-@/]*$/u

/** Checks tag keys and values against the digest's rules (§4.0 TagList), in the order clients hit them. */
export function validateTags(tags: Tag[], existingKeys: Iterable<string> = []): void {
  const keys = new Set<string>(existingKeys)
  const seen = new Set<string>()
  for (const tag of tags) {
    if (tag.key === undefined || tag.key === '') fail('tagEmpty', 'A tag key is empty.')
    if ([...tag.key].length > 128) fail('tagKeySize', `Tag key "${tag.key.slice(0, 32)}…" is longer than 128 characters.`)
    if (!KEY_CHARS.test(tag.key) || tag.key !== tag.key.trim() || tag.key.startsWith('_sys_')) {
      fail('tagInvalid', `Tag key "${tag.key}" may hold letters, digits, spaces and _ . : = + - @, must not start or end with a space, nor start with _sys_.`)
    }
    if ([...tag.value].length > 255) fail('tagValueSize', `The value of tag "${tag.key}" is longer than 255 characters.`)
    if (!VALUE_CHARS.test(tag.value)) fail('tagInvalid', `The value of tag "${tag.key}" may hold letters, digits, spaces and _ . : = + - @ /.`)
    if (seen.has(tag.key)) fail('tagKeyDuplicated', `Tag key "${tag.key}" appears twice.`)
    seen.add(tag.key)
    keys.add(tag.key)
  }
  if (keys.size > MAX_TAGS_PER_RESOURCE) fail('tagLimit', `A resource carries at most ${MAX_TAGS_PER_RESOURCE} tags.`)
}
