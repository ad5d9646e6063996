package main

import (
	"errors"
	"strings"

	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/validate"
)

// readPeopleSets reads the people sets file (a csv, or the "People Sets"
// sheet of an xlsx), or else the roster workbook's "People Sets" sheet;
// nil when there is neither.
func readPeopleSets(roster, file string) (*validate.PeopleSets, error) {
	path := file
	if path == "" {
		if !strings.HasSuffix(strings.ToLower(roster), ".xlsx") {
			return nil, nil
		}
		path = roster
	}
	rd, err := parse.OpenPeopleSets(path, "")
	if file == "" && errors.Is(err, parse.ErrNoSheet) {
		return nil, nil // a roster workbook without people sets
	}
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return validate.ValidatePeopleSets(rd)
}
