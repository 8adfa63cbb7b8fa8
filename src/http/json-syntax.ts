/*
 * Where JSON text stops being JSON, in the words a person fixing it by hand needs: line, column, what
 * was found and what was expected there. JSON.parse says only some of that, and for a stray character
 * quotes the whole body back; this pass runs only after JSON.parse has refused the text. Nesting is
 * bounded by the caller (MAX_JSON_DEPTH) before this runs, so recursion stays shallow.
 */

export interface JsonSyntaxError {
  line: number
  column: number
  /** e.g. `expected ":" after the property name, found "1"` */
  problem: string
}

class Stop extends Error {
  constructor(
    readonly at: number,
    readonly expected: string,
  ) {
    super(expected)
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])

function describeAt(text: string, at: number): string {
  if (at >= text.length) return 'the end of the body'
  const char = text[at]!
  const code = char.charCodeAt(0)
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  return JSON.stringify(char)
}

function locate(text: string): Stop | undefined {
  let i = 0
  const skip = () => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++
  }
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) throw new Stop(i, `"${word}"`)
  }
  const digits = (what: string) => {
    if (!/[0-9]/.test(text[i] ?? '')) throw new Stop(i, what)
    while (/[0-9]/.test(text[i] ?? '')) i++
  }
  const string = () => {
    i++ // the opening quote
    for (;;) {
      if (i >= text.length) throw new Stop(i, 'a closing " for the string')
      const c = text[i]!
      if (c === '"') return void i++
      if (c.charCodeAt(0) < 0x20) throw new Stop(i, 'a character allowed in a string (write control characters as \\n, \\t or \\u00XX)')
      if (c === '\\') {
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i, 'four hexadecimal digits after \\u')
          i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2
        else throw new Stop(i, 'an escape such as \\" \\\\ \\n or \\u00e9')
        continue
      }
      i++
    }
  }
  const value = (): void => {
    skip()
    const c = text[i]
    if (c === '{') {
      i++
      skip()
      if (text[i] === '}') return void i++
      for (;;) {
        skip()
        if (text[i] !== '"') throw new Stop(i, 'a property name in double quotes')
        string()
        skip()
        if (text[i] !== ':') throw new Stop(i, '":" after the property name')
        i++
        value()
        skip()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') return void i++
        throw new Stop(i, '"," or "}" after the property value')
      }
    }
    if (c === '[') {
      i++
      skip()
      if (text[i] === ']') return void i++
      for (;;) {
        value()
        skip()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') return void i++
        throw new Stop(i, '"," or "]" after the array element')
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true')
    if (c === 'f') return literal('false')
    if (c === 'n') return literal('null')
    if (c === '-' || /[0-9]/.test(c ?? '')) {
      if (c === '-') i++
      if (text[i] === '0') i++
      else digits('a digit')
      if (text[i] === '.') {
        i++
        digits('a digit after the decimal point')
      }
      if (text[i] === 'e' || text[i] === 'E') {
        i++
        if (text[i] === '+' || text[i] === '-') i++
        digits('a digit in the exponent')
      }
      return
    }
    throw new Stop(i, 'a value (an object, array, string, number, true, false or null)')
  }
  try {
    value()
    skip()
    if (i < text.length) throw new Stop(i, 'the end of the body after the JSON value')
    return undefined
  } catch (error) {
    if (error instanceof Stop) return error
    throw error
  }
}

/** The first syntax error of `text`, or undefined when it is JSON. Lines and columns count from 1. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stop = locate(text)
  if (!stop) return undefined
  const before = text.slice(0, stop.at)
  const line = before.split('\n').length
  const column = stop.at - (before.lastIndexOf('\n') + 1) + 1
  return { line, column, problem: `expected ${stop.expected}, found ${describeAt(text, stop.at)}` }
}
