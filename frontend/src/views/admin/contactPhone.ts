/**
 * Contact numbers of handling units (R-12345-07): a full 11-digit mobile or a landline with its
 * area code (0576-83310003); short internal numbers (e.g. 6123) are refused. Mirrors
 * chalicelib/domain/phones.py so the form rejects what the server would reject.
 */

const MOBILE = /^1[3-9]\d{9}$/
const LANDLINE = /^0\d{2,3}-?\d{7,8}$/
const SEPARATORS = /[\s()（）]/g

/** Strip spaces, brackets and a +86 / 0086 prefix. */
export function cleanPhone(value: string | null | undefined): string {
  let n = (value ?? '').replace(SEPARATORS, '')
  for (const prefix of ['+86', '0086']) {
    if (n.startsWith(prefix)) n = n.slice(prefix.length)
  }
  return n
}

/** True for an 11-digit mobile or a landline with area code. */
export function isLongNumber(value: string | null | undefined): boolean {
  const n = cleanPhone(value)
  return MOBILE.test(n) || LANDLINE.test(n)
}

export type PhoneProblem = 'required' | 'short' | 'invalid' | 'tooLong'

/** Why a contact number is not acceptable (an i18n key suffix), or null. */
export function contactPhoneProblem(value: string | null | undefined): PhoneProblem | null {
  const raw = (value ?? '').trim()
  if (!raw) return 'required'
  if (raw.length > 30) return 'tooLong'
  if (isLongNumber(raw)) return null
  const digits = cleanPhone(raw).replace(/-/g, '')
  return /^[1-9]\d{2,7}$/.test(digits) ? 'short' : 'invalid'
}

/** Roles whose contacts must carry a long number (the server checks handler and leader). */
export const LONG_NUMBER_ROLES = ['handler', 'leader']

/**
 * Server 422 `details.fields` keyed like `contacts[1].phone` → `{1: {phone: reason}}` (`list` names the
 * repeated part: `departments[0].members[2]` → `{0: {members: reason}}`, an item of a list goes to the list's
 * form item); other keys (`name`, `id`, `contacts`) stay under `form`.
 */
export function splitFieldErrors(
  fields: Record<string, string>,
  list = 'contacts',
): {
  form: Record<string, string>
  rows: Record<number, Record<string, string>>
} {
  const form: Record<string, string> = {}
  const rows: Record<number, Record<string, string>> = {}
  const pattern = new RegExp(`^${list}\\[(\\d+)\\](?:\\.(\\w+)(?:\\[\\d+\\])?)?$`)
  for (const [key, reason] of Object.entries(fields)) {
    const m = pattern.exec(key)
    if (m) {
      const i = Number(m[1])
      rows[i] = { ...(rows[i] ?? {}), [m[2] ?? 'row']: reason }
    } else {
      form[key] = reason
    }
  }
  return { form, rows }
}
