// Package validate checks every row of a roster and collects every problem
// at once, each with its row, column, a stable code and a message that says
// what to do.
//
// It works in two passes over the records parse streams:
//
//  1. per row: each mapped cell is checked and normalized by the rule of its
//     field (rules.go); identity keys (email, external_id, id) are indexed.
//  2. across rows: every row of a duplicate email or external_id group is
//     invalid; manager references are resolved against the file's own
//     emails, external_ids and ids; self-references and reporting cycles
//     (every row on the cycle) are invalid; a manager found nowhere in the
//     file is a warning here and an error at plan time, which can look it up
//     in Workplace.
//
// Desired turns a valid row into the normalized state its account should
// have, for plan.
package validate
