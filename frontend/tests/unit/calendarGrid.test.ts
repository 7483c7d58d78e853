import { describe, expect, it } from 'vitest'
import {
  dayKind,
  importChanges,
  isOfficeHours,
  monthGrid,
  overrideMap,
  overridesOf,
  weekdayMon0,
  yearCounts,
  yearGrid,
  type CalendarDay,
  type GridCell,
} from '@/views/calendar/calendarGrid'

describe('working calendar helpers', () => {
  it('knows weekdays (Monday = 0)', () => {
    expect(weekdayMon0(2027, 1, 1)).toBe(4) // Friday
    expect(weekdayMon0(2027, 1, 31)).toBe(6) // Sunday
  })

  it('classifies holidays, make-up workdays and plain days', () => {
    const o = overrideMap([
      { date: '2027-02-08', workday: false },
      { date: '2027-02-20', workday: true },
      { date: '2027-02-10', workday: true },
    ])
    expect(dayKind('2027-02-08', o)).toBe('holiday')
    expect(dayKind('2027-02-20', o)).toBe('makeup') // Saturday worked
    expect(dayKind('2027-02-10', o)).toBe('workday')
    expect(dayKind('2027-02-13', o)).toBe('weekend')
    expect(dayKind('2027-02-15', o)).toBe('workday')
  })

  it('lays a month out Monday first with padding', () => {
    const g = monthGrid(2027, 2, overrideMap([{ date: '2027-02-08', workday: false }, { date: '2027-02-20', workday: true }]))
    expect(g.weeks[0][0]?.date).toBe('2027-02-01') // 1 Feb 2027 is a Monday
    expect(g.weeks.flat().filter(Boolean)).toHaveLength(28)
    expect(g.weeks.every((w) => w.length === 7)).toBe(true)
    expect(g.holidays).toBe(1)
    expect(g.makeups).toBe(1)
    const march = monthGrid(2027, 3, new Map())
    expect(march.weeks[0].slice(0, 1)).toEqual([march.weeks[0][0]])
    expect(yearGrid(2028, [])[1].weeks.flat().filter(Boolean)).toHaveLength(29) // leap year
  })

  it('lists what an import would change', () => {
    const changes = importChanges([{ date: '2027-05-01', workday: false }, { date: '2027-05-09', workday: false }], {
      holidays: ['2027-05-01', '2027-05-02'],
      workdays: ['2027-05-09'],
    })
    expect(changes).toEqual([
      { date: '2027-05-02', before: null, after: false },
      { date: '2027-05-09', before: false, after: true },
    ])
  })

  it('checks office hours text', () => {
    expect(isOfficeHours('08:30-12:00,14:00-17:30')).toBe(true)
    expect(isOfficeHours('08:30-12:00，14:00-17:30')).toBe(true)
    expect(isOfficeHours('12:00-08:30')).toBe(false)
    expect(isOfficeHours('8:30-12:00')).toBe(false)
    expect(isOfficeHours('')).toBe(false)
  })
})

describe('the year grid from the statutory schedule and the overrides', () => {
  const days: CalendarDay[] = [
    ...['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'].map((date) => ({
      date,
      workday: false,
      source: 'package' as const,
      festival: 'National Day',
    })),
    { date: '2026-09-20', workday: true, source: 'package', festival: 'National Day' },
    { date: '2026-10-10', workday: true, source: 'package', festival: 'National Day' },
    { date: '2026-10-09', workday: false, source: 'override', festival: null },
  ]

  it('counts the package days (休 / 班) and marks the overrides apart', () => {
    const grid = yearGrid(2026, days)
    expect(grid[9].holidays).toBe(8) // 1–7 October and the override on the 9th
    expect(grid[9].makeups).toBe(1) // Saturday 10 October
    expect(grid[8].makeups).toBe(1) // Sunday 20 September
    const cells = grid[9].weeks.flat().filter((c): c is GridCell => !!c)
    const first = cells.find((c) => c.date === '2026-10-01')
    expect(first).toMatchObject({ kind: 'holiday', statutory: true, override: false, festival: 'National Day' })
    expect(cells.find((c) => c.date === '2026-10-09')).toMatchObject({ kind: 'holiday', statutory: false, override: true })
    expect(yearCounts(grid)).toEqual({ holidays: 8, makeups: 2, overrides: 1 })
    expect(overridesOf(days).map((d) => d.date)).toEqual(['2026-10-09'])
  })
})
