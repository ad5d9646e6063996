package parse

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// PeopleSetsSheet is the sheet name that holds people sets, skipped when
// choosing the default roster sheet.
const PeopleSetsSheet = "People Sets"

type xlsxSource struct {
	path  string
	f     *excelize.File
	rows  *excelize.Rows
	row   int
	fatal error
}

func openXLSX(path string, opts Options) (*xlsxSource, string, error) {
	limit := opts.MaxUnzipBytes
	if limit <= 0 {
		limit = DefaultMaxUnzipBytes
	}
	if err := checkWorkbook(path); err != nil {
		return nil, "", err
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: limit, UnzipXMLSizeLimit: min(limit, 64<<20)})
	if err != nil {
		return nil, "", xlsxOpenError(path, err, limit)
	}
	sheet, err := pickSheet(f, opts.Sheet, PeopleSetsSheet)
	if err != nil {
		f.Close()
		return nil, "", fileErr(path, err, "%v", err)
	}
	if err := isoDates(f); err != nil {
		f.Close()
		return nil, "", fileErr(path, err, "cannot read the workbook's styles: %v", err)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, "", xlsxOpenError(path, err, limit)
	}
	return &xlsxSource{path: path, f: f, rows: rows}, sheet, nil
}

func xlsxOpenError(path string, err error, limit int64) error {
	switch {
	case errors.Is(err, excelize.ErrOptionsUnzipSizeLimit), strings.Contains(err.Error(), "unzip size"):
		return fileErr(path, err, "the workbook unpacks to more than %d MiB, which is refused as unsafe (a zip bomb?); split the roster or re-save it", limit>>20)
	case errors.Is(err, excelize.ErrWorkbookFileFormat), strings.Contains(err.Error(), "zip"):
		return fileErr(path, err, "the workbook is damaged or truncated (%v); open it in Excel and save it again, or export it as CSV UTF-8", err)
	}
	return fileErr(path, err, "cannot read the workbook: %v; open it in Excel and save it again", err)
}

// ErrNoSheet matches the error of opening a sheet the workbook lacks.
var ErrNoSheet = errors.New("no such sheet")

type noSheetError struct {
	want string
	list []string
}

func (e *noSheetError) Error() string {
	return fmt.Sprintf("no sheet named %q; the sheets are: %s", e.want, strings.Join(quoteAll(e.list), ", "))
}

func (e *noSheetError) Is(target error) bool { return target == ErrNoSheet }

// pickSheet returns the named sheet, or the first visible sheet other than
// skip.
func pickSheet(f *excelize.File, want, skip string) (string, error) {
	list := f.GetSheetList()
	if want != "" {
		for _, s := range list {
			if strings.EqualFold(s, want) {
				return s, nil
			}
		}
		return "", &noSheetError{want, list}
	}
	for _, s := range list {
		if visible, _ := f.GetSheetVisible(s); visible && !strings.EqualFold(s, skip) {
			return s, nil
		}
	}
	return "", fmt.Errorf("the workbook has no visible sheet; unhide one or pass --sheet NAME")
}

func (s *xlsxSource) next() (rawRow, bool) {
	if s.fatal != nil || !s.rows.Next() {
		if err := s.rows.Error(); err != nil && s.fatal == nil {
			s.fatal = fileErr(s.path, err, "reading row %d failed: %v; the workbook may be damaged: open it in Excel and save it again", s.row+1, err)
		}
		return rawRow{}, false
	}
	s.row++
	cells, err := s.rows.Columns()
	if err != nil {
		s.fatal = fileErr(s.path, err, "reading row %d failed: %v; the workbook may be damaged: open it in Excel and save it again", s.row, err)
		return rawRow{}, false
	}
	return rawRow{row: s.row, cells: cells}, true
}

func (s *xlsxSource) err() error { return s.fatal }
func (s *xlsxSource) close() error {
	s.rows.Close()
	return s.f.Close()
}

// isoDates rewrites the in-memory cell formats: date formats become
// yyyy-mm-dd (or yyyy-mm-dd hh:mm:ss when they show a time), text stays
// text, and every other number format becomes General.
func isoDates(f *excelize.File) error {
	if _, err := f.GetStyle(0); err != nil || f.Styles == nil || f.Styles.CellXfs == nil {
		return nil // no style table: every cell is already General
	}
	date, err := numFmtID(f, "yyyy-mm-dd")
	if err != nil {
		return err
	}
	dateTime, err := numFmtID(f, "yyyy-mm-dd hh:mm:ss")
	if err != nil {
		return err
	}
	codes := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			codes[nf.NumFmtID] = nf.FormatCode
		}
	}
	general := 0
	for i := range f.Styles.CellXfs.Xf {
		xf := &f.Styles.CellXfs.Xf[i]
		if xf.NumFmtID == nil || *xf.NumFmtID == date || *xf.NumFmtID == dateTime {
			continue
		}
		id := *xf.NumFmtID
		switch dateKind(id, codes[id]) {
		case isDate:
			xf.NumFmtID = &date
		case isDateTime:
			xf.NumFmtID = &dateTime
		default:
			if id != 49 { // 49 is "@", text
				xf.NumFmtID = &general
			}
		}
	}
	return nil
}

func numFmtID(f *excelize.File, code string) (int, error) {
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return 0, err
	}
	return *f.Styles.CellXfs.Xf[style].NumFmtID, nil
}

type fmtKind int

const (
	notDate fmtKind = iota
	isDate
	isDateTime
)

// dateKind classifies a number format by its built-in id or its code.
func dateKind(id int, code string) fmtKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return isDate
	case id >= 18 && id <= 22, id >= 32 && id <= 33, id >= 45 && id <= 47:
		return isDateTime
	case code == "":
		return notDate
	}
	// Drop quoted literals, escaped characters and [..] sections, then look
	// for date and time tokens.
	var b strings.Builder
	inQuote, inBracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			inQuote = c != '"'
		case inBracket:
			inBracket = c != ']'
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == '\\' || c == '_' || c == '*':
			i++
		default:
			b.WriteByte(c | 0x20)
		}
	}
	s := b.String()
	if s == "general" {
		return notDate
	}
	hasDate := strings.ContainsAny(s, "yd")
	hasTime := strings.ContainsAny(s, "hs")
	switch {
	case hasDate && hasTime:
		return isDateTime
	case hasDate:
		return isDate
	case hasTime:
		return isDateTime
	}
	return notDate
}
