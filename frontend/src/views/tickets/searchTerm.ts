/**
 * The ticket list's one search box: what the user typed is a ticket number, a caller phone or a
 * title keyword. The server does the search (GET /tickets?ticket_id=|phone=|keyword=, docs/api.md);
 * a phone goes to it as digits and the server hashes it for the blind index (R-12345-11), so the
 * number never lands in an index. Mirrors chalicelib/domain/phones.normalise_e164 for what it accepts.
 */

const TICKET = /^T\d{8}-\d{5}$/
const MOBILE = /^1[3-9]\d{9}$/
const LANDLINE = /^0\d{2,3}\d{7,8}$/
const PHONE_CHARS = /^[+\d\s()（）\-－—.]+$/
const SEPARATORS = /[\s()（）\-－—.]/g
/** Characters of a title keyword the server accepts. */
export const KEYWORD_MAX = 50
/** Digits from which a run of digits is read as an attempt at a phone number, not a keyword. */
const PHONE_MIN_DIGITS = 7

export type SearchTerm =
  | { kind: 'none' }
  | { kind: 'ticket_id' | 'phone' | 'keyword'; value: string }
  | { kind: 'invalid'; field: 'phone' | 'keyword' }

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

/** What the search box holds. */
export function parseSearch(text: string | null | undefined): SearchTerm {
  const s = normalise(text ?? '')
  if (!s) return { kind: 'none' }
  if (TICKET.test(s.toUpperCase())) return { kind: 'ticket_id', value: s.toUpperCase() }
  const digits = phoneDigits(s)
  if (digits !== null && digits.replace(/\D/g, '').length >= PHONE_MIN_DIGITS) {
    return MOBILE.test(digits) || LANDLINE.test(digits)
      ? { kind: 'phone', value: digits }
      : { kind: 'invalid', field: 'phone' }
  }
  if ([...s].length > KEYWORD_MAX) return { kind: 'invalid', field: 'keyword' }
  return { kind: 'keyword', value: s }
}
