import { z } from 'zod'
import { tidyStoreName } from './store-names'

// Shared by the store form and the store actions. Coordinates are kept as the exact decimal strings
// Constructor takes (1–20 characters each) and must be a real place: both or neither.
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')]
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'))

function decimalIn(min: number, max: number, label: string) {
  return z
    .string()
    .trim()
    .max(20, `${label} must be at most 20 characters`)
    .regex(
      /^-?\d{1,3}(\.\d{1,15})?$/,
      `${label} must be a decimal number like ${max === 90 ? '40.7233' : '-74.0030'}`,
    )
    .refine((v) => Number(v) >= min && Number(v) <= max, `${label} must be between ${min} and ${max}`)
}
export const latitudeSchema = decimalIn(-90, 90, 'Latitude')
export const longitudeSchema = decimalIn(-180, 180, 'Longitude')

const optional = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), s.nullable().default(null))

export const storeFieldsSchema = z
  .object({
    code: z
      .string()
      .trim()
      .min(1, 'Enter the store code sent to Constructor')
      .max(250, 'Use at most 250 characters')
      .regex(/^[^\p{Cc}]+$/u, 'The code cannot contain control characters'),
    name: z.string().trim().min(1, 'Enter a name').max(200, 'Use at most 200 characters'),
    latitude: optional(latitudeSchema),
    longitude: optional(longitudeSchema),
    timeZone: z.string().refine((v) => TIME_ZONES.includes(v), 'Choose a time zone from the list'),
    currency: z
      .string()
      .trim()
      .toUpperCase()
      .refine((v) => CURRENCIES.has(v), 'Use a three-letter currency code like USD or EUR'),
    locale: z
      .string()
      .trim()
      .min(2, 'Use a locale like en-US')
      .max(35)
      .refine((v) => {
        try {
          return Intl.getCanonicalLocales(v).length === 1
        } catch {
          return false
        }
      }, 'Use a locale like en-US or de-DE'),
  })
  .superRefine((v, ctx) => {
    if ((v.latitude === null) !== (v.longitude === null)) {
      const path = v.latitude === null ? 'latitude' : 'longitude'
      ctx.addIssue({ code: 'custom', path: [path], message: 'Enter both latitude and longitude, or neither' })
    }
  })

export const createStoreSchema = storeFieldsSchema
export type StoreInput = z.input<typeof storeFieldsSchema>

export const updateStoreSchema = z.intersection(
  z.object({ storeId: z.uuid('Unknown store') }),
  storeFieldsSchema,
)
export type UpdateStoreInput = z.input<typeof updateStoreSchema>

export const setStoreActiveSchema = z.object({ storeId: z.uuid('Unknown store'), active: z.boolean() })

// A name a store's tills write for it: as a person typed it, spaces tidied (compared by normalizeStoreName).
export const storeNameSchema = z
  .string()
  .transform(tidyStoreName)
  .pipe(
    z
      .string()
      .min(1, 'Enter the name your till uses for this store')
      .max(250, 'Use at most 250 characters')
      .regex(/^[^\p{Cc}]+$/u, 'The name cannot contain control characters'),
  )

export const addStoreNameSchema = z.object({
  storeId: z.uuid('Unknown store'),
  name: storeNameSchema,
  /** a manager names a till's store from the upload whose preview asks about it */
  uploadId: z.uuid('Unknown upload').optional(),
})
export type AddStoreNameInput = z.input<typeof addStoreNameSchema>

export const removeStoreNameSchema = z.object({ aliasId: z.uuid('Unknown name') })
