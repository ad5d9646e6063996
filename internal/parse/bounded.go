package parse

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/wpimport/wpimport/internal/roster"
)

// bounded holds every source to the limits a roster keeps, whatever its
// format, so that whatever is read can be written back to every output:
// at most MaxSheetRows rows and maxRosterCols columns (a file past them is
// refused as soon as reading passes the limit), cells of at most
// roster.MaxCellChars characters and valid UTF-8 (a row that breaks one is
// that row's error).
type bounded struct {
	source
	path  string
	fatal error
}

func (b *bounded) next() (rawRow, bool) {
	if b.fatal != nil {
		return rawRow{}, false
	}
	raw, ok := b.source.next()
	if !ok {
		return raw, false
	}
	switch {
	case raw.row > MaxSheetRows:
		b.fatal = fileErr(b.path, nil, "the file has more than %d rows, the most a workbook holds (its reports could not be written); nothing was used: split the roster", MaxSheetRows)
		return rawRow{}, false
	case len(raw.cells) > maxRosterCols:
		b.fatal = fileErr(b.path, nil, "row %d has %d columns; wpimport reads at most %d (Excel's %d less the %d its reports add): delete the unused columns",
			raw.row, len(raw.cells), maxRosterCols, MaxSheetCols, roster.OutputColumns)
		return rawRow{}, false
	}
	for i, c := range raw.cells {
		if raw.issue != nil {
			break
		}
		switch {
		case !utf8.ValidString(c):
			raw.cells[i] = strings.ToValidUTF8(c, "\uFFFD")
			raw.issue = &roster.Issue{Row: raw.row, Severity: roster.Error, Code: "row.encoding",
				Message: fmt.Sprintf("cell %d holds bytes that are not UTF-8 (shown as \uFFFD); the file was read as UTF-8 from its start: save it as \"CSV UTF-8\" and run again", i+1)}
		case len(c) > roster.MaxCellChars && utf8.RuneCountInString(c) > roster.MaxCellChars:
			raw.issue = &roster.Issue{Row: raw.row, Severity: roster.Error, Code: "row.cell_too_long",
				Message: fmt.Sprintf("cell %d has %d characters; a spreadsheet cell holds at most %d: shorten it", i+1, utf8.RuneCountInString(c), roster.MaxCellChars)}
		}
	}
	return raw, true
}

func (b *bounded) err() error {
	if b.fatal != nil {
		return b.fatal
	}
	return b.source.err()
}
