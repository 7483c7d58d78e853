import { describe, expect, it } from 'vitest'
import { formatBytes, formatFigureValue, formatPercent, formatRatio, monthFromQuery, shanghaiMonth, toPercentPoint } from '@/utils/stats'

describe('formatPercent', () => {
  it('formats rates with one decimal and drops a trailing .0', () => {
    expect(formatPercent(0.1154)).toBe('11.5%')
    expect(formatPercent(1)).toBe('100%')
    expect(formatPercent(0)).toBe('0%')
    expect(formatPercent(0.0769)).toBe('7.7%')
    expect(formatPercent(0.5, 2)).toBe('50%')
    expect(formatPercent(0.12345, 2)).toBe('12.35%')
  })
  it('shows a dash for an undefined rate', () => {
    expect(formatPercent(null)).toBe('—')
    expect(formatPercent(undefined)).toBe('—')
    expect(formatPercent(Number.NaN)).toBe('—')
  })
})

describe('figures', () => {
  const rate = { kind: 'rate' as const, numerator: 3, denominator: 26, rate: 0.1154, value: 0.1154 }
  const count = { kind: 'count' as const, numerator: 26, denominator: 26, rate: 1, value: 26 }
  it('shows rates as percent and counts as numbers', () => {
    expect(formatFigureValue(rate)).toBe('11.5%')
    expect(formatFigureValue(count)).toBe('26')
    expect(formatFigureValue({ ...rate, rate: null, value: null, denominator: 0 })).toBe('—')
    expect(formatFigureValue(undefined)).toBe('—')
  })
  it('shows numerator / denominator', () => {
    expect(formatRatio(rate)).toBe('3 / 26')
    expect(formatRatio(null)).toBe('—')
  })
  it('turns rates into chart points', () => {
    expect(toPercentPoint(0.1154)).toBe(11.5)
    expect(toPercentPoint(null)).toBeNull()
  })
})

describe('shanghaiMonth', () => {
  it('uses the Asia/Shanghai calendar', () => {
    expect(shanghaiMonth(new Date('2026-11-30T16:30:00Z'))).toBe('2026-12')
    expect(shanghaiMonth(new Date('2026-11-30T15:59:00Z'))).toBe('2026-11')
  })
})

describe('formatBytes', () => {
  it('scales', () => {
    expect(formatBytes(658)).toBe('658 B')
    expect(formatBytes(6237)).toBe('6.1 KB')
    expect(formatBytes(null)).toBe('—')
  })
})

describe('monthFromQuery', () => {
  it('keeps a YYYY-MM month from the address', () => {
    expect(monthFromQuery('2026-11')).toBe('2026-11')
    expect(monthFromQuery(['2026-01', '2026-02'])).toBe('2026-01')
  })
  it('ignores anything else (the page then opens on the current month)', () => {
    for (const v of [undefined, null, '', '2026-13', '2026-00', '2026-1', '202611', 'x', 202611]) {
      expect(monthFromQuery(v)).toBeUndefined()
    }
  })
})
