package main

import (
	"strings"

	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/validate"
)

// readPeopleSets reads the people sets file, or else the roster workbook's
// "People Sets" sheet; nil when there is neither.
func readPeopleSets(roster, file string) (*validate.PeopleSets, error) {
	path, sheet := file, ""
	if path == "" {
		if !strings.HasSuffix(strings.ToLower(roster), ".xlsx") {
			return nil, nil
		}
		s, ok := parse.FindSheet(roster, parse.PeopleSetsSheet)
		if !ok {
			return nil, nil
		}
		path, sheet = roster, s
	} else if strings.HasSuffix(strings.ToLower(path), ".xlsx") {
		if s, ok := parse.FindSheet(path, parse.PeopleSetsSheet); ok {
			sheet = s
		} else {
			sheet = "" // first visible sheet
		}
	}
	rd, err := openSets(path, sheet)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return validate.ValidatePeopleSets(rd)
}

func openSets(path, sheet string) (*parse.Reader, error) {
	if sheet == "" && strings.HasSuffix(strings.ToLower(path), ".xlsx") {
		sheet = parse.PeopleSetsSheet // not there: the error names the sheets there are
	}
	return parse.OpenPeopleSets(path, sheet)
}
