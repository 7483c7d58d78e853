export interface UnitContact {
  name: string
  phone: string
  role: string
}

export interface Unit {
  id: string
  name: string
  kind: string
  contacts: UnitContact[]
}

export interface TemplateSection {
  /** stable key used in `sections` of a reply */
  id: string
  /** Chinese heading shown to the user */
  title: string
  required: boolean
  guidance: string
}

export interface ReplyTemplate {
  category: string
  sections: TemplateSection[]
}
