/** Display helpers for instants and deadlines. The API speaks UTC; people read Asia/Shanghai. */
export const TIME_ZONE = 'Asia/Shanghai'

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(locale: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withTime}`
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    })
    formatters.set(key, f)
  }
  return f
}

function parse(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const d = value instanceof Date ? value : new Date(value)
  return Number.isNaN(d.getTime()) ? null : d
}

/** `2026-11-26T03:59:00+00:00` → `2026/11/26 11:59` (Asia/Shanghai), '' when absent or invalid. */
export function formatDateTime(value: string | number | Date | null | undefined, locale = 'zh-CN'): string {
  const d = parse(value)
  if (!d) return ''
  const parts = formatter(locale, true).formatToParts(d)
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}

/** The Asia/Shanghai calendar date `YYYY-MM-DD` of an instant. */
export function formatDate(value: string | number | Date | null | undefined, locale = 'zh-CN'): string {
  const d = parse(value)
  if (!d) return ''
  const parts = formatter(locale, false).formatToParts(d)
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** `YYYY-MM-DD HH:mm` typed by a person in Shanghai → UTC ISO with offset. */
export function shanghaiLocalToIso(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(local.trim())
  if (!m) throw new Error(`not a local date-time: ${local}`)
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m
  // Asia/Shanghai has had no daylight saving since 1991: a fixed +08:00.
  const utc = Date.UTC(+y, +mo - 1, +d, +h - 8, +mi, +s)
  return new Date(utc).toISOString().replace('.000Z', '+00:00')
}

export const DUE_SOON_HOURS = 24

export interface Countdown {
  overdue: boolean
  /** Less than DUE_SOON_HOURS of clock time left. */
  dueSoon: boolean
  /** Absolute clock-time distance, split for display. */
  days: number
  hours: number
  minutes: number
  totalMinutes: number
}

/**
 * Clock-time countdown to `due` (not working days: the server owns the working-day calendar,
 * so the UI labels this value as clock time).
 */
export function countdown(due: string | null | undefined, now: Date = new Date()): Countdown | null {
  const d = parse(due)
  if (!d) return null
  const diffMin = Math.floor((d.getTime() - now.getTime()) / 60000)
  const overdue = diffMin < 0
  const abs = Math.abs(diffMin)
  return {
    overdue,
    dueSoon: !overdue && diffMin < DUE_SOON_HOURS * 60,
    days: Math.floor(abs / 1440),
    hours: Math.floor((abs % 1440) / 60),
    minutes: abs % 60,
    totalMinutes: diffMin,
  }
}

type Translate = (key: string, values?: Record<string, unknown>) => string

/** `剩余 2天3小时` / `已超时 45分钟`: days and hours, minutes only under one hour. */
export function formatCountdown(c: Countdown, t: Translate): string {
  const parts: string[] = []
  if (c.days) parts.push(t('countdown.days', { n: c.days }))
  if (c.hours || (c.days && !c.hours)) parts.push(t('countdown.hours', { n: c.hours }))
  if (!c.days && !c.hours) parts.push(t('countdown.minutes', { n: c.minutes }))
  const time = parts.join('')
  return t(c.overdue ? 'countdown.overdue' : 'countdown.remaining', { time })
}

/** The deadline that matters now: dispatch_due before dispatch, handle_due afterwards — or, on a returned
 * ticket or a reply, the operator's 12-hour clock `act_due` when it comes first (R-12345-12). */
export function activeDue(t: {
  status: string
  dispatch_due: string | null
  handle_due: string | null
  act_due?: string | null
}): string | null {
  if (t.status === 'closed' || t.status === 'submitted') return null
  if (t.status === 'received') return t.dispatch_due
  if (t.act_due && (!t.handle_due || Date.parse(t.act_due) < Date.parse(t.handle_due))) return t.act_due
  return t.handle_due
}

/** A person and their role: 周海（海游街道办事处） + 承办单位经办人 → 周海（海游街道办事处，承办单位经办人), one pair of
 *  brackets as on the printed record; a bare name gets the locale's `ticket.by` form. */
export function personWithRole(name: string, role: string, t: Translate): string {
  if (name.endsWith('）') && name.includes('（')) return `${name.slice(0, -1)}，${role}）`
  return t('ticket.by', { actor: name, role })
}
