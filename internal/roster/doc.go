// Package roster is the domain of wpimport: the canonical field names a roster
// column maps to, the Record (raw trimmed cells plus the spreadsheet row they
// came from) and the Issue (a problem found in a row, with a stable code);
// validate turns a record into the desired state of one account. An
// unknown header a few edits from a known one (Distance, Resemble) is taken
// for a misspelling; the rule and the columns it must leave alone are in
// typo.go.
//
// Everything else in the pipeline speaks these types: parse produces Records,
// validate produces Issues, plan turns rows into typed changes.
package roster
