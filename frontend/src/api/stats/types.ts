/** One statistic (docs/statistics.md): counts carry `value` = numerator, rates `value` = rate (0–1|null). */
export interface Figure {
  label: string
  kind: 'count' | 'rate'
  numerator: number
  denominator: number
  rate: number | null
  value: number | null
}

export type Figures = Record<string, Figure>

export interface ReadCost {
  queries?: number
  items?: number
}

export interface ReportRow {
  id: string
  name: string
  counts: Record<string, number>
  figures: Figures
}

export interface FigureDefinition {
  id: string
  label: string
  kind: 'count' | 'rate'
  rule: string
}

/** GET /stats/report?month= */
export interface StatsReport {
  month: string
  county: { counts: Record<string, number>; figures: Figures }
  units: ReportRow[]
  owners: ReportRow[]
  definitions: FigureDefinition[]
  read?: ReadCost
}

/** GET /stats/trend?month=&months=12 (oldest first) */
export interface StatsTrend {
  months: string[]
  series: Record<string, (number | null)[]>
  items: { month: string; figures: Figures }[]
  read?: ReadCost
}

/** GET /documents/typical?format=json */
export interface TypicalTicket {
  id: string
  title: string
  content: string
  category_label: string
  unit_name: string
  status_label: string
  reply: { title: string; text: string }[]
  satisfaction: string
  marked_by: string
  marked_at: string
  note: string
}

/** One hot topic of a month (docs/statistics.md, "Hot spots"; R-12345-14 综合分析). */
export interface HotTopic {
  rank: number
  topic: string
  terms: string[]
  count: number
  previous: number | null
  change: number | null
  change_rate: number | null
  examples: { id: string; title: string }[]
}

/** GET /stats/hotspots?month=&by= */
export interface Hotspots {
  month: string
  previous_month: string
  computed_at: string
  computed_by: string
  tickets: number
  previous_tickets: number
  confidential_excluded: number
  topics: HotTopic[]
  by: 'unit' | 'category' | null
  groups: { id: string; name: string; kind: string | null; tickets: number; previous_tickets: number; topics: HotTopic[] }[]
}

/** A version of the typical-ticket summary's analysis paragraph (R-12345-15). */
export interface TypicalAnalysis {
  version: number
  text: string
  by: string
  by_name: string
  at: string
  at_label: string
}

/** GET /stats/typical-summary/{month} */
export interface TypicalSummary {
  month: string
  items: TypicalTicket[]
  confidential_withheld: number
  analysis: TypicalAnalysis | null
  history: TypicalAnalysis[]
  can_edit: boolean
}
