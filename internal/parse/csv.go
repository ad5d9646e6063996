package parse

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/wpimport/wpimport/internal/roster"
)

var delimiters = []rune{',', ';', '\t', '|'}

type csvSource struct {
	path   string
	f      *os.File
	r      *csv.Reader
	fatal  error
	row    int // spreadsheet row of the last record
	nextLn int // first line after the last record
}

// openCSV picks the encoding and delimiter from the head of the file.
func openCSV(path string, head []byte) (*csvSource, []roster.Issue, error) {
	var issues []roster.Issue
	var enc encoding.Encoding
	skip := 0
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		skip = 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case !validUTF8Prefix(head):
		enc = charmap.Windows1252
		issues = append(issues, roster.Issue{Severity: roster.Warning, Code: "file.encoding",
			Message: "the file is not UTF-8; it was read as Windows-1252 (Western European). If names look wrong, save it as \"CSV UTF-8\" and run again"})
	}
	text := head[skip:]
	if enc != nil {
		dec, _, _ := transform.Bytes(enc.NewDecoder(), head)
		text = dec
	}
	comma := detectDelimiter(text)

	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fileErr(path, err, "cannot read: %v", err)
	}
	var in io.Reader = bufio.NewReaderSize(f, 256<<10)
	if skip > 0 {
		io.CopyN(io.Discard, in, int64(skip))
	}
	if enc != nil {
		in = transform.NewReader(in, enc.NewDecoder())
	}
	r := csv.NewReader(in)
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &csvSource{path: path, f: f, r: r, nextLn: 1}, issues, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut at the end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// detectDelimiter returns the candidate that splits the first records into
// the same number (>1) of fields most often, preferring more fields on a tie.
func detectDelimiter(text []byte) rune {
	if i := bytes.LastIndexByte(text, '\n'); i > 0 && len(text) >= 64<<10-8 {
		text = text[:i] // drop a line cut by the sniff window
	}
	best, bestAgree, bestFields := ',', 0, 0
	for _, d := range delimiters {
		r := csv.NewReader(bytes.NewReader(text))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = d, -1, true
		counts := map[int]int{}
		for i := 0; i < 30; i++ {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				continue
			}
			counts[len(rec)]++
		}
		agree, fields := 0, 0
		for n, c := range counts {
			if n > 1 && (c > agree || c == agree && n > fields) {
				agree, fields = c, n
			}
		}
		if agree > bestAgree || agree == bestAgree && fields > bestFields {
			best, bestAgree, bestFields = d, agree, fields
		}
	}
	return best
}

func (s *csvSource) next() (rawRow, bool) {
	if s.fatal != nil {
		return rawRow{}, false
	}
	rec, err := s.r.Read()
	if err == io.EOF {
		return rawRow{}, false
	}
	var perr *csv.ParseError
	if err != nil && !errors.As(err, &perr) {
		s.fatal = fileErr(s.path, err, "cannot read: %v", err)
		return rawRow{}, false
	}
	if perr != nil {
		row := s.advance(perr.StartLine, perr.Line-perr.StartLine+1)
		msg := "the row could not be split into cells: " + perr.Err.Error()
		switch {
		case errors.Is(perr.Err, csv.ErrBareQuote):
			msg = fmt.Sprintf("a quote (\") stands inside an unquoted cell (line %d, column %d); put the whole cell in quotes and double the inner quote (\"\"), or remove it", perr.Line, perr.Column)
		case errors.Is(perr.Err, csv.ErrQuote):
			// Every line to the end of the file went into this one cell:
			// reading on would be a short read, so the file is refused.
			s.fatal = fileErr(s.path, perr, "a quoted cell opened on line %d (row %d) is never closed, so every line after it would be lost; "+
				"nothing was used: close the quote (or double a quote inside the cell) and run again", perr.StartLine, row)
			return rawRow{}, false
		}
		return rawRow{row: row, issue: &roster.Issue{Row: row, Severity: roster.Error, Code: "row.unreadable", Message: msg}}, true
	}
	line, _ := s.r.FieldPos(0)
	span := 1
	for _, c := range rec {
		span += strings.Count(c, "\n")
	}
	// rec is reused by the next Read: Reader copies what it keeps.
	return rawRow{row: s.advance(line, span), cells: rec}, true
}

// advance moves past a record that starts on line start and covers span
// lines, counting skipped blank lines as rows the way a spreadsheet does.
func (s *csvSource) advance(start, span int) int {
	blank := max(start-s.nextLn, 0)
	s.row += 1 + blank
	s.nextLn = start + span
	return s.row
}

func (s *csvSource) err() error   { return s.fatal }
func (s *csvSource) close() error { return s.f.Close() }
