import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'
import contractSchema from './contract.schema.json' with { type: 'json' }

// The sandbox's own reading of the contract (JSON Schema + ajv), kept apart from the zod schemas on purpose.

export type DetailEntry = { loc: (string | number)[]; msg: string; type: string }

export type BodyValidation =
  | { ok: true; actions: unknown[] }
  | { ok: false; message: string; detail: DetailEntry[]; offendingIndices: number[] }

const MAX_DETAIL_ENTRIES = 1000

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false })
const validateContract = ajv.compile(contractSchema)

const TYPE_NAMES: Record<string, string> = {
  string: 'string_type',
  integer: 'int_type',
  number: 'float_type',
  array: 'list_type',
  object: 'dict_type',
}

function pathSegments(instancePath: string): (string | number)[] {
  if (instancePath === '') return []
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
}

function toDetail(error: ErrorObject): DetailEntry | undefined {
  // Branch failures and "must match then" repeat what the surrounding error already says.
  if (error.keyword === 'if' || /\/anyOf\/\d+\//.test(error.schemaPath)) return undefined
  const loc: (string | number)[] = ['body', ...pathSegments(error.instancePath)]
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { loc: [...loc, String(params.missingProperty)], msg: 'Field required', type: 'missing' }
    case 'additionalProperties':
      return {
        loc: [...loc, String(params.additionalProperty)],
        msg: 'Extra inputs are not permitted',
        type: 'extra_forbidden',
      }
    case 'anyOf':
      if (error.schemaPath.includes('/dependentSchemas/variation_id/')) {
        return {
          loc: [...loc, 'variation_id'],
          msg: 'variation_id needs item_id or item_name alongside it',
          type: 'value_error',
        }
      }
      return { loc, msg: 'Either item_id or item_name is required', type: 'value_error' }
    case 'type': {
      const expected = String(params.type)
      return { loc, msg: `Input should be a valid ${expected}`, type: TYPE_NAMES[expected] ?? 'type_error' }
    }
    case 'minLength':
      return { loc, msg: `String should have at least ${params.limit} characters`, type: 'string_too_short' }
    case 'maxLength':
      return { loc, msg: `String should have at most ${params.limit} characters`, type: 'string_too_long' }
    case 'minItems':
      return { loc, msg: `List should have at least ${params.limit} items`, type: 'too_short' }
    case 'maxItems':
      return { loc, msg: `List should have at most ${params.limit} items`, type: 'too_long' }
    case 'enum':
    case 'const': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue]
      return {
        loc,
        msg: `Input should be ${allowed.map((v) => `'${String(v)}'`).join(' or ')}`,
        type: 'enum',
      }
    }
    default:
      return { loc, msg: error.message ?? 'Invalid value', type: 'value_error' }
  }
}

function actionIndex(loc: readonly (string | number)[]): number | undefined {
  const index = loc[2]
  return loc[1] === 'behavioral_actions' && typeof index === 'number' ? index : undefined
}

function findPoison(
  value: unknown,
  poison: ReadonlySet<string>,
  path: (string | number)[],
): (string | number)[][] {
  if (typeof value === 'string') return poison.has(value) ? [path] : []
  if (Array.isArray(value)) return value.flatMap((entry, i) => findPoison(entry, poison, [...path, i]))
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, entry]) => findPoison(entry, poison, [...path, key]))
  }
  return []
}

// Keeps one entry per offending action first, so a capped list still names every index.
function capDetail(detail: DetailEntry[]): DetailEntry[] {
  if (detail.length <= MAX_DETAIL_ENTRIES) return detail
  const seen = new Set<number | undefined>()
  const first: DetailEntry[] = []
  const rest: DetailEntry[] = []
  for (const entry of detail) {
    const index = actionIndex(entry.loc)
    if (seen.has(index)) rest.push(entry)
    else {
      seen.add(index)
      first.push(entry)
    }
  }
  return [...first, ...rest].slice(0, Math.max(MAX_DETAIL_ENTRIES, first.length))
}

export function invalid(detail: DetailEntry[]): Extract<BodyValidation, { ok: false }> {
  const indices = [...new Set(detail.map((entry) => actionIndex(entry.loc)))]
    .filter((index): index is number => index !== undefined)
    .sort((a, b) => a - b)
  const message =
    indices.length > 0
      ? `Validation error in behavioral_actions at index ${indices.join(', ')}`
      : `Validation error: ${detail[0]?.msg ?? 'invalid request'}`
  return { ok: false, message, detail: capDetail(detail), offendingIndices: indices }
}

export function validateBody(body: unknown, poisonValues: readonly string[] = []): BodyValidation {
  const detail: DetailEntry[] = []
  if (!validateContract(body)) {
    for (const error of validateContract.errors ?? []) {
      const entry = toDetail(error)
      if (entry) detail.push(entry)
    }
  }
  const actions = (body as { behavioral_actions?: unknown } | null)?.behavioral_actions
  if (poisonValues.length > 0 && Array.isArray(actions)) {
    const poison = new Set(poisonValues)
    actions.forEach((action, index) => {
      for (const path of findPoison(action, poison, ['body', 'behavioral_actions', index])) {
        detail.push({ loc: path, msg: 'Value refused by the sandbox (poison value)', type: 'value_error' })
      }
    })
  }
  if (detail.length > 0) return invalid(detail)
  return { ok: true, actions: actions as unknown[] }
}
