export interface CalendarWarning {
  code: string
  year?: number
  message: string
}

export interface CalendarYear {
  year: number
  package_covers: boolean
  confirmed: boolean
  confirmed_by: string | null
  /** Who confirmed, as printed (name with the unit). */
  confirmed_by_name?: string | null
  confirmed_at: string | null
  known: boolean
  /** Overrides; `by_name`: who set it, as printed. */
  days: { date: string; workday: boolean; by_name?: string | null }[]
  office_hours: string
  warnings: CalendarWarning[]
}

export interface DaysResult {
  year: number
  stored: number
  holidays: string[]
  workdays: string[]
}

export interface ConfirmResult {
  year: number
  confirmed: true
  checked: number
  recomputed: number
  conflicts: number
}

export const SHIFTS = ['day', 'night', 'holiday'] as const
export type Shift = (typeof SHIFTS)[number]

export interface DutyPerson {
  user_id: string
  name: string
  phone: string
}

export interface DutyEntry extends DutyPerson {
  date: string
  shift: Shift
}

export interface DutyRoster {
  month: string
  items: DutyEntry[]
  defaults: Partial<Record<Shift, DutyPerson>>
}

export interface DutyNow {
  at: string
  shift: string
  on_duty: (DutyPerson & { shift?: string }) | null
}

export interface Health {
  status: string
  time: string
  warnings: CalendarWarning[]
}
