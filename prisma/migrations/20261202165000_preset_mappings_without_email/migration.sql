-- Mappings remembered before the Shopify and Square presets were fixed (lib/uploads/presets.ts) would bring
-- the old columns back on a store's next upload: Shopify's Email as the customer id, Square's Gross Sales
-- as the line total and Price Point Name as the variation. Those entries go; a field left out of a
-- remembered mapping takes the preset's own column. Any other column a person chose stays.
UPDATE "ColumnMappingPreset" SET "mapping" = "mapping" - 'customerId'
WHERE "source" = 'shopify' AND "mapping"->>'customerId' = 'Email';

UPDATE "ColumnMappingPreset" SET "mapping" = "mapping" - 'lineTotal'
WHERE "source" = 'square' AND "mapping"->>'lineTotal' = 'Gross Sales';

UPDATE "ColumnMappingPreset" SET "mapping" = "mapping" - 'variationId'
WHERE "source" = 'square' AND "mapping"->>'variationId' = 'Price Point Name';
