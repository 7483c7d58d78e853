import { http } from '@/api/request'
import type { CalendarYear, ConfirmResult, DaysResult, DutyEntry, DutyNow, DutyPerson, DutyRoster, Health, Shift } from './types'

export function getCalendarYear(year: number): Promise<CalendarYear> {
  return http.get<CalendarYear>(`/admin/calendar/${year}`)
}

/** PUT /admin/calendar/{year}/days with explicit `days` (one override per date). */
export function putCalendarDays(year: number, days: { date: string; workday: boolean }[]): Promise<DaysResult> {
  return http.request<DaysResult>({ method: 'PUT', url: `/admin/calendar/${year}/days`, body: { days } })
}

export function deleteCalendarDay(year: number, date: string): Promise<{ deleted: string }> {
  return http.request<{ deleted: string }>({ method: 'DELETE', url: `/admin/calendar/${year}/days/${date}` })
}

/** POST /admin/calendar/{year}/import; `dryRun` only shows what would be stored. */
export function importCalendar(year: number, text: string, dryRun: boolean): Promise<DaysResult> {
  return http.post<DaysResult>(`/admin/calendar/${year}/import`, { text, dry_run: dryRun })
}

export function confirmCalendar(year: number): Promise<ConfirmResult> {
  return http.post<ConfirmResult>(`/admin/calendar/${year}/confirm`)
}

export function putOfficeHours(officeHours: string): Promise<{ office_hours: string }> {
  return http.request<{ office_hours: string }>({ method: 'PUT', url: '/admin/office-hours', body: { office_hours: officeHours } })
}

export function getHealth(): Promise<Health> {
  return http.get<Health>('/health', undefined, { skipAuth: true })
}

export function getDutyRoster(month: string): Promise<DutyRoster> {
  return http.get<DutyRoster>('/admin/duty/roster', { month })
}

/** The month's whole roster: shifts of `month` not in `entries` are removed. */
export function putDutyRoster(month: string, entries: DutyEntry[]): Promise<{ stored: number; removed: number }> {
  return http.request<{ stored: number; removed: number }>({ method: 'PUT', url: '/admin/duty/roster', body: { month, entries } })
}

/** The name and mobile last entered for each person (fills a picked person's mobile). */
export function getDutyStaff(): Promise<{ items: DutyPerson[] }> {
  return http.get<{ items: DutyPerson[] }>('/admin/duty/staff')
}

export function putDutyDefault(shift: Shift, person: DutyPerson): Promise<{ stored: number }> {
  return http.request<{ stored: number }>({ method: 'PUT', url: '/admin/duty/defaults', body: { [shift]: person } })
}

export function getDutyNow(): Promise<DutyNow> {
  return http.get<DutyNow>('/admin/duty/now')
}
