// How a till's name for a shop ("Brooklyn Flagship", "KOELN-01") is compared with store codes and the names
// stores keep. Imports nothing, so the parser, the forms and the actions compare the same way.
//
// Ignored: case (Unicode case folding by toLowerCase after NFKC, so full-width and ligature forms match their
// plain letters), spaces around the name, and how many spaces or tabs stand between its words.
// Kept: punctuation and every other character. "Mission St." and "Mission St", or "KOELN-01" and "KOELN 01",
// are different names: tills use punctuation in register codes ("A-1" and "A1" can be two tills), and naming
// a second spelling once in the preview costs one click, while a wrong match would put sales in another shop.

/** the form a store name is compared (and kept unique) in */
export function normalizeStoreName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase()
}

/** the name as a person should see it: trimmed, inner runs of spaces made one */
export function tidyStoreName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/gu, ' ')
}
