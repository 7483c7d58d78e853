/** Pure helpers of the working-calendar page: month grids, day kinds, import previews. */

/** Where a day of the year's calendar comes from: the statutory schedule of chinesecalendar, or an admin's override. */
export type DaySource = 'package' | 'override'

export interface CalendarDay {
  date: string
  workday: boolean
  /** absent: an override (what the day-entry APIs return) */
  source?: DaySource
  /** the statutory holiday's code (label kind `festival`) */
  festival?: string | null
}

/** `workday`: ordinary weekday; `weekend`: ordinary Sat/Sun; `holiday`: day off (休); `makeup`: 调休上班 (班). */
export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup'

export interface GridCell {
  date: string
  day: number
  kind: DayKind
  override: boolean
  /** the statutory schedule's day (休 / 班) when no override replaces it */
  statutory: boolean
  festival: string | null
}

export interface MonthGrid {
  month: number
  /** Weeks Monday first; null pads the days outside the month. */
  weeks: (GridCell | null)[][]
  holidays: number
  makeups: number
}

const pad = (n: number): string => String(n).padStart(2, '0')

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${pad(month)}-${pad(day)}`
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** 0 = Monday … 6 = Sunday (calendar arithmetic in UTC, no time zone drift). */
export function weekdayMon0(year: number, month: number, day: number): number {
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7
}

export function isWeekend(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number)
  return weekdayMon0(y, m, d) >= 5
}

export function overrideMap(days: CalendarDay[]): Map<string, boolean> {
  return new Map(days.map((d) => [d.date, d.workday]))
}

export function dayKind(iso: string, overrides: Map<string, boolean>): DayKind {
  const weekend = isWeekend(iso)
  const o = overrides.get(iso)
  if (o === false) return 'holiday'
  if (o === true) return weekend ? 'makeup' : 'workday'
  return weekend ? 'weekend' : 'workday'
}

/** The admin's own days (not the package's). */
export function overridesOf(days: CalendarDay[]): CalendarDay[] {
  return days.filter((d) => d.source !== 'package')
}

/** `days`: every non-ordinary day (package and overrides); `overridden`: which of them an admin set (default: all). */
export function monthGrid(
  year: number,
  month: number,
  overrides: Map<string, boolean>,
  overridden?: Set<string>,
  festivals?: Map<string, string>,
): MonthGrid {
  const weeks: (GridCell | null)[][] = []
  let week: (GridCell | null)[] = Array(weekdayMon0(year, month, 1)).fill(null)
  let holidays = 0
  let makeups = 0
  for (let d = 1; d <= daysInMonth(year, month); d++) {
    const date = isoDate(year, month, d)
    const kind = dayKind(date, overrides)
    if (kind === 'holiday') holidays++
    if (kind === 'makeup') makeups++
    const override = overridden ? overridden.has(date) : overrides.has(date)
    const statutory = overrides.has(date) && !override
    week.push({ date, day: d, kind, override, statutory, festival: festivals?.get(date) ?? null })
    if (week.length === 7) {
      weeks.push(week)
      week = []
    }
  }
  if (week.length) weeks.push([...week, ...Array(7 - week.length).fill(null)])
  return { month, weeks, holidays, makeups }
}

export function yearGrid(year: number, days: CalendarDay[]): MonthGrid[] {
  const kinds = overrideMap(days)
  const overridden = new Set(overridesOf(days).map((d) => d.date))
  const festivals = new Map(days.filter((d) => d.festival).map((d) => [d.date, d.festival as string]))
  return Array.from({ length: 12 }, (_, i) => monthGrid(year, i + 1, kinds, overridden, festivals))
}

/** A year's totals as the grid shows them: days off (休), make-up working days (班), overrides among the days. */
export function yearCounts(months: MonthGrid[]): { holidays: number; makeups: number; overrides: number } {
  const cells = months.flatMap((m) => m.weeks.flat()).filter((c): c is GridCell => !!c)
  return {
    holidays: months.reduce((n, m) => n + m.holidays, 0),
    makeups: months.reduce((n, m) => n + m.makeups, 0),
    overrides: cells.filter((c) => c.override).length,
  }
}

export interface DayChange {
  date: string
  /** what the day is now: an override value, or null for the default (weekday/weekend) */
  before: boolean | null
  after: boolean
}

/** What an import (`holidays`, `workdays` of a dry run) would change against the stored overrides. */
export function importChanges(current: CalendarDay[], preview: { holidays: string[]; workdays: string[] }): DayChange[] {
  const now = overrideMap(current)
  const next = new Map<string, boolean>([
    ...preview.holidays.map((d) => [d, false] as [string, boolean]),
    ...preview.workdays.map((d) => [d, true] as [string, boolean]),
  ])
  const changes: DayChange[] = []
  for (const [date, after] of next) {
    const before = now.has(date) ? (now.get(date) as boolean) : null
    if (before !== after) changes.push({ date, before, after })
  }
  return changes.sort((a, b) => a.date.localeCompare(b.date))
}

/** `08:30-12:00,14:00-17:30`: one or more HH:MM-HH:MM ranges, each start before its end. */
export function isOfficeHours(text: string): boolean {
  const parts = text.replace(/\s+/g, '').split(/[,，]/)
  if (!parts.length || parts.some((p) => !p)) return false
  return parts.every((p) => {
    const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(p)
    return !!m && Number(m[1]) * 60 + Number(m[2]) < Number(m[3]) * 60 + Number(m[4])
  })
}
