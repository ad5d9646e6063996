// Package parse opens a roster file and streams its records.
//
// Open sniffs the content (not the extension) to tell xlsx from csv, and
// refuses cleanly what it cannot read: encrypted workbooks, legacy .xls,
// corrupt or oversized zips, binary garbage, files with no usable header.
//
// csv: the encoding comes from the BOM (UTF-8, UTF-16 LE/BE) or, without one,
// UTF-8 if valid and Windows-1252 otherwise; the delimiter is the one among
// , ; tab | that splits the first lines into the most consistent columns.
// Row numbers count every line a spreadsheet would show, blank ones included,
// and a quoted newline stays inside its row.
//
// xlsx: excelize's streaming row iterator on the first visible sheet (or
// --sheet). Before streaming, the workbook's in-memory style table is
// rewritten so that every date format renders as yyyy-mm-dd and every other
// number format as General: date cells arrive as ISO dates, booleans as
// TRUE/FALSE, integers without ".0", and a number Excel has already rounded
// (more than 15 significant digits) arrives in scientific notation, which
// validate flags. The file on disk is never changed.
//
// The header is the row, among the first 20, whose cells name the most known
// fields (aliases in package roster, plus an optional mapping file), so title
// rows above it are skipped. A roster's header is then checked
// (RequireRoster): a column whose header looks like a known one misspelt
// (roster.Header.Misspellings) and whose field has no column refuses the
// file, as does a name that would come from one half (first or last name)
// alone, or no email and no external_id column.
package parse
