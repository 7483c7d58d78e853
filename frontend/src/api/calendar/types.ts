export interface CalendarWarning {
  code: string
  year?: number
  message: string
}

export interface CalendarDayOfYear {
  date: string
  workday: boolean
  source: 'package' | 'override'
  /** the statutory holiday (label kind `festival`) */
  festival: string | null
  /** an override's day as the package has it (null: an ordinary day) */
  package?: boolean | null
  /** an override's setter, as printed (name with the unit) */
  by_name?: string | null
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
  /** every non-ordinary day: chinesecalendar's statutory days (`package`) and the admin's overrides (`override`) */
  days: CalendarDayOfYear[]
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
  /** `YYYY-MM-DD#kind`: the shift's key */
  shift: string
  kind: Shift
  on_duty: (DutyPerson & { shift?: string }) | null
}

export interface Health {
  status: string
  time: string
  warnings: CalendarWarning[]
}
