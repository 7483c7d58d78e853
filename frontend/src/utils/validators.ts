/** Field validators shared by forms. */

/** 11-digit mainland mobile (R-12345-07). */
export const MOBILE_RE = /^1[3-9]\d{9}$/
/** Landline with area code: 0xx(x)-xxxxxxx(x), dash optional, optional extension. */
export const LANDLINE_RE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/

/** A full mobile or landline with area code; short internal numbers are refused (R-12345-07). */
export function isValidPhone(value: string | null | undefined): boolean {
  if (!value) return false
  const v = value.replace(/\s+/g, '')
  return MOBILE_RE.test(v) || LANDLINE_RE.test(v)
}
