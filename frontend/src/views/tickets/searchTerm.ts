/**
 * The ticket list's one search box: what the user typed is a ticket number, a caller phone, a caller's
 * full name or a keyword of title and content. The server does the search
 * (GET /tickets?ticket_id=|phone=|caller_name=|keyword=, docs/api.md); a phone or a name goes to it as
 * typed and the server hashes it for the blind index (R-12345-11), so neither lands in an index.
 * Mirrors chalicelib/domain/phones.normalise_e164 for what it accepts. `auto` guesses number / phone /
 * keyword; a name is searched when the user picks 来电人姓名 beside the box or types the prefix `姓名:`.
 */

const TICKET = /^T\d{8}-\d{5}$/
const MOBILE = /^1[3-9]\d{9}$/
const LANDLINE = /^0\d{2,3}\d{7,8}$/
const PHONE_CHARS = /^[+\d\s()（）\-－—.]+$/
const SEPARATORS = /[\s()（）\-－—.]/g
/** Characters of a keyword the server accepts. */
export const KEYWORD_MAX = 50
/** Characters of a caller name the server accepts. */
export const NAME_MAX = 50
/** What the box is read as: guessed, or picked in the select beside it. */
export const SEARCH_BY = ['auto', 'ticket_id', 'phone', 'caller_name', 'keyword'] as const
export type SearchBy = (typeof SEARCH_BY)[number]
/** An explicit prefix for a caller-name search: `姓名:张三` / `name:张三` (ASCII or full-width colon). */
const NAME_PREFIX = /^(姓名|name)\s*[:：]\s*/i
const LETTER = /\p{L}/u
/** Digits from which a run of digits is read as an attempt at a phone number, not a keyword. */
const PHONE_MIN_DIGITS = 7

export type SearchTerm =
  | { kind: 'none' }
  | { kind: 'ticket_id' | 'phone' | 'caller_name' | 'keyword'; value: string }
  | { kind: 'invalid'; field: 'ticket_id' | 'phone' | 'caller_name' | 'keyword' }

/** Full-width letters and digits to ASCII (what NFKC does for them), surrounding spaces off. */
function normalise(text: string): string {
  return text.normalize('NFKC').trim()
}

/** The digits of a typed phone number without separators and +86 / 0086, or null if it is not phone-like. */
export function phoneDigits(text: string): string | null {
  const s = normalise(text)
  if (!PHONE_CHARS.test(s)) return null
  let n = s.replace(SEPARATORS, '')
  for (const prefix of ['+86', '0086']) {
    if (n.startsWith(prefix)) {
      n = n.slice(prefix.length)
      break
    }
  }
  return n
}

function asPhone(s: string): SearchTerm {
  const digits = phoneDigits(s)
  return digits !== null && (MOBILE.test(digits) || LANDLINE.test(digits))
    ? { kind: 'phone', value: digits }
    : { kind: 'invalid', field: 'phone' }
}

/** A caller's full name (exact match on the server): some letter, at most NAME_MAX characters. */
function asName(s: string): SearchTerm {
  return LETTER.test(s) && [...s].length <= NAME_MAX
    ? { kind: 'caller_name', value: s }
    : { kind: 'invalid', field: 'caller_name' }
}

function asKeyword(s: string): SearchTerm {
  return [...s].length > KEYWORD_MAX ? { kind: 'invalid', field: 'keyword' } : { kind: 'keyword', value: s }
}

/** What the search box holds, read as `by` says (`auto`: guessed from its shape). */
export function parseSearch(text: string | null | undefined, by: SearchBy = 'auto'): SearchTerm {
  const s = normalise(text ?? '')
  if (!s) return { kind: 'none' }
  if (by === 'ticket_id') {
    return TICKET.test(s.toUpperCase()) ? { kind: 'ticket_id', value: s.toUpperCase() } : { kind: 'invalid', field: 'ticket_id' }
  }
  if (by === 'phone') return asPhone(s)
  if (by === 'caller_name') return asName(s)
  if (by === 'keyword') return asKeyword(s)
  const prefixed = s.match(NAME_PREFIX)
  if (prefixed) return asName(s.slice(prefixed[0].length).trim())
  if (TICKET.test(s.toUpperCase())) return { kind: 'ticket_id', value: s.toUpperCase() }
  const digits = phoneDigits(s)
  if (digits !== null && digits.replace(/\D/g, '').length >= PHONE_MIN_DIGITS) return asPhone(s)
  return asKeyword(s)
}

/** A search `by` from a route query value (anything else: `auto`). */
export function searchBy(value: unknown): SearchBy {
  return SEARCH_BY.find((b) => b === value) ?? 'auto'
}
