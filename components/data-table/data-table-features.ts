import {
  columnVisibilityFeature,
  metaHelper,
  rowPaginationFeature,
  rowSelectionFeature,
  rowSortingFeature,
  tableFeatures,
} from '@tanstack/react-table'

/** what a column may say about itself to the kit */
export type DataTableColumnMeta = {
  /** the column's name for screen readers, the column menu and the skeleton */
  label?: string
  align?: 'start' | 'end'
  /** classes for its header and cells (widths, truncation) */
  className?: string
}

// Every table of the product: server-side sort and pagination (manual), row selection kept by id across
// pages, optional hidden columns. Module scope so the feature object stays stable between renders.
export const dataTableFeatures = tableFeatures({
  rowSortingFeature,
  rowPaginationFeature,
  rowSelectionFeature,
  columnVisibilityFeature,
  columnMeta: metaHelper<DataTableColumnMeta>(),
})

export type DataTableFeatures = typeof dataTableFeatures
