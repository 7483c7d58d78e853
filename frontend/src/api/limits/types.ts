import type { Category } from '@/api/tickets/types'

/** One version of a hotline's handling time limits (GET /admin/limits). */
export interface LimitVersion {
  hotline: string
  version: number
  unit: 'working_days' | 'calendar_days'
  days: Partial<Record<Category, number>>
  /** null: the built-in default (version 0) */
  effective_from: string | null
  by: string | null
  /** Who saved this version, as printed (name with the unit); null for the built-in default. */
  by_name?: string | null
  at: string | null
  note: string
}

export interface HotlineLimits {
  hotline: string
  unit: 'working_days' | 'calendar_days'
  max_days: number
  categories: Category[]
  in_force: LimitVersion
  latest: LimitVersion
  /** newest first */
  history: LimitVersion[]
}

export interface LimitChange {
  days: Partial<Record<Category, number>>
  effective_from?: string
  note?: string
  /** the version that was edited (409 if stale) */
  version: number
}
