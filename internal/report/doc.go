// Package report writes what wpimport found and did, one entry per roster
// row, as xlsx, csv or json (chosen by the file extension).
//
// Every stage (validate, plan, apply) turns its result into a Document: a
// summary, the entries (streamed, so a million rows never sit in memory
// twice) and optional extra tables. The writers know nothing of the stages:
//
//   - xlsx: a Summary sheet first (counts, a chart, issue codes, the run's
//     facts), then the rows with a frozen header, an autofilter, a colour
//     per status and invalid cells highlighted, then the extra tables.
//   - csv: the same columns; cells a spreadsheet would evaluate as a formula
//     are prefixed with ' so that opening the file runs nothing.
//   - json: {"kind", "source", "summary", "rows": [...]}.
package report
