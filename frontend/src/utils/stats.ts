/** Formatting of statistics figures (R-12345-14): rates as percentages, numerator / denominator. */
import { TIME_ZONE } from '@/utils/format'

export interface FigureLike {
  kind: 'count' | 'rate'
  numerator: number
  denominator: number
  rate: number | null
  value: number | null
}

/** 0.1154 → `11.5%` (one decimal, trailing `.0` dropped: 1 → `100%`); null/NaN → `—`. */
export function formatPercent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—'
  const pct = (rate * 100).toFixed(digits)
  return `${pct.replace(/\.0+$/, '')}%`
}

/** The headline value of a figure: a percentage for rates, the count otherwise. */
export function formatFigureValue(f: FigureLike | null | undefined): string {
  if (!f) return '—'
  if (f.kind === 'rate') return formatPercent(f.rate)
  return f.value === null || f.value === undefined ? '—' : String(f.value)
}

/** `3 / 26` */
export function formatRatio(f: FigureLike | null | undefined): string {
  if (!f) return '—'
  return `${f.numerator} / ${f.denominator}`
}

/** A rate (0–1) as a chart value in percent with one decimal; null stays null (gap in the line). */
export function toPercentPoint(rate: number | null | undefined): number | null {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return null
  return Math.round(rate * 1000) / 10
}

/** `YYYY-MM` of an instant in Asia/Shanghai. */
export function shanghaiMonth(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit' }).formatToParts(now)
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return `${get('year')}-${get('month')}`
}

/** A `YYYY-MM` month from the address (`?month=`), or undefined for anything else (then the current month). */
export function monthFromQuery(value: unknown): string | undefined {
  const m = Array.isArray(value) ? value[0] : value
  return typeof m === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(m) ? m : undefined
}

/** Byte sizes for file lists: 658 → `658 B`, 6237 → `6.1 KB`. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
