/**
 * Display helpers for caller personal data (R-12345-11). The server decides what is masked;
 * these helpers mask again wherever the UI shows data it should not echo in full (e.g. a
 * unit contact's phone in a confirmation) and render masked values recognisably.
 */

/** `张三丰` → `张**`; empty stays empty. */
export function maskName(name: string | null | undefined): string {
  if (!name) return ''
  const chars = Array.from(name.trim())
  if (chars.length <= 1) return chars.join('')
  return chars[0] + '*'.repeat(chars.length - 1)
}

/** `13800000000` → `138****0000`; landlines keep area code and last 4 digits. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return ''
  const p = phone.trim()
  const digits = p.replace(/\D/g, '')
  if (digits.length < 7) return '*'.repeat(p.length)
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`
  const dash = p.indexOf('-')
  if (dash > 0) {
    const area = p.slice(0, dash)
    const local = p.slice(dash + 1)
    return `${area}-${'*'.repeat(Math.max(0, local.length - 4))}${local.slice(-4)}`
  }
  return `${p.slice(0, 3)}${'*'.repeat(p.length - 7)}${p.slice(-4)}`
}

/** True when a value has been masked by the server (contains `*`). */
export function isMasked(value: string | null | undefined): boolean {
  return !!value && value.includes('*')
}

/** What to print for a caller field: the value, or the placeholder when empty. */
export function displayValue(value: string | null | undefined, placeholder = '—'): string {
  return value && value.trim() ? value : placeholder
}
