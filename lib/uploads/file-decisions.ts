// Decisions made once for a whole file: its decimal separator and day/month order, from every row's
// evidence, a person's choice, or the store's locale, with a warning when the file could not tell.
import type { AmountReader, DecimalSeparator } from '@/lib/money/decimal'
import { localeDateOrder, localeDecimalSeparator } from '@/lib/sales/read-values'
import {
  type DateOrder,
  type DateOrderEvidence,
  type DayMonthOrder,
  decideDateOrder,
} from '@/lib/time/parse-date'
import type { Delimiter } from './csv-tokenizer'

export interface FileDecisions {
  decimalSeparator: DecimalSeparator
  dayMonthOrder: DayMonthOrder
}

export interface DecisionInput {
  /** what the rows said: amount votes and date evidence */
  amounts: AmountReader
  dateEvidence: DateOrderEvidence
  delimiter: Delimiter
  /** BCP 47 locale of the store: the fallback when dates or amounts read both ways */
  locale?: string
  /** a person's choices */
  decimalSeparator?: DecimalSeparator
  dateOrder?: DayMonthOrder
  /** the decisions of an earlier read of the same file, kept for the events it streams */
  stream?: FileDecisions
}

export interface DecidedFile extends FileDecisions {
  /** the date order to show (YMD when every date was year first) */
  dateOrder: DateOrder
  /** what the manager should know: the file read both ways and we guessed */
  warnings: string[]
}

export function decideFile(input: DecisionInput): DecidedFile {
  const { amounts, stream } = input
  const warnings: string[] = []
  const separatorFallback = localeDecimalSeparator(input.locale) ?? (input.delimiter === ';' ? ',' : '.')
  const decimalSeparator =
    stream?.decimalSeparator ?? input.decimalSeparator ?? amounts.decide(separatorFallback)
  if (
    input.decimalSeparator === undefined &&
    amounts.ambiguous > 0 &&
    amounts.pointVotes === amounts.commaVotes
  )
    warnings.push(
      `Amounts like 1,234 could mean 1234 or 1.234; we read ${decimalSeparator === ',' ? "',' as the decimal comma" : "'.' as the decimal point"}. If that's wrong, choose the decimal separator and read the file again.`,
    )
  const orderFallback =
    localeDateOrder(input.locale) ?? (input.delimiter === ';' || decimalSeparator === ',' ? 'DMY' : 'MDY')
  const decided = stream
    ? { order: stream.dayMonthOrder, reported: input.dateOrder ?? stream.dayMonthOrder }
    : input.dateOrder === undefined
      ? decideDateOrder(input.dateEvidence, orderFallback)
      : { order: input.dateOrder, reported: input.dateOrder }
  const ev = input.dateEvidence
  if (input.dateOrder === undefined && ev.ambiguous > 0 && ev.dmy === ev.mdy && ev.dotted === 0)
    warnings.push(
      `Dates like 03/04/2026 could be read day first or month first; we read them ${decided.order === 'DMY' ? 'day first (DD/MM/YYYY)' : 'month first (MM/DD/YYYY)'}. If that's wrong, choose the date order and read the file again.`,
    )
  return { decimalSeparator, dayMonthOrder: decided.order, dateOrder: decided.reported, warnings }
}
