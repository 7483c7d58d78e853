import { useI18n } from 'vue-i18n'

/** Tables whose values may be text a person typed rather than a code (shown as typed when unknown). */
const FREE_TEXT = new Set(['callOutcome'])

/**
 * `label(table, code)`: the user's name for a code from one of the locale tables (`status`,
 * `hotlines`, `deliveryStatus`, … mostly the backend's label catalogue); 其他 / Other for a code the
 * table does not know (a code is never shown as itself), '' for no code.
 */
export function useLabel() {
  const { t, te } = useI18n()
  return (table: string, code: string | number | null | undefined): string => {
    if (code === null || code === undefined || code === '') return ''
    const key = `${table}.${code}`
    if (te(key)) return t(key)
    return FREE_TEXT.has(table) ? String(code) : t('common.other')
  }
}
