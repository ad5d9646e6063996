package parse

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Excel's own sheet limits.
const (
	MaxSheetRows = 1_048_576
	MaxSheetCols = 16_384
)

// xmlScan checks, in one fast streaming pass, that a worksheet (or shared
// strings) part is well-formed XML as Go's strict decoder sees it, and that
// its rows and columns stay within Excel's limits. excelize stops reading
// a sheet at the first XML error without a word; this pass is what turns
// such a sheet into a refusal instead of a short read. It stops at the
// first problem, so a bomb costs only what it takes to reach a limit.
//
// It is at least as strict as encoding/xml (FuzzXMLScan holds it to that):
// tags must nest, attributes must be quoted and given a value, entities
// must be the five predefined ones or character references, and every
// character must be valid UTF-8 and allowed in XML.
type xmlScan struct {
	stack    [][]byte // open element names
	row      int      // number of the current (or last) <row>
	col      int      // column of the current (or last) <c>
	maxCols  int      // for MaxCols; 0: MaxSheetCols
	inRow    bool
	attrName []byte
	attrVal  []byte
	name     []byte
}

// xmlScanError says where and why a sheet is not readable.
type xmlScanError struct {
	Row  int // the row where reading stopped (0: before the first)
	Line int
	Msg  string
}

func (e *xmlScanError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("row %d (XML line %d): %s", e.Row, e.Line, e.Msg)
	}
	return fmt.Sprintf("XML line %d: %s", e.Line, e.Msg)
}

// errLimit marks a scan error that is a size limit, not damage.
var errLimit = errors.New("over Excel's limits")

type limitError struct{ xmlScanError }

func (e *limitError) Unwrap() error { return errLimit }

// scanner reads bytes with one byte of push-back and counts lines.
type scanner struct {
	buf  []byte
	pos  int
	r    io.Reader
	err  error
	line int
}

func (s *scanner) fill() bool {
	if s.err != nil {
		return false
	}
	n, err := s.r.Read(s.buf[:cap(s.buf)])
	s.buf, s.pos = s.buf[:n], 0
	if err != nil {
		s.err = err
	}
	return n > 0 || s.fill()
}

func (s *scanner) next() (byte, bool) {
	if s.pos >= len(s.buf) && !s.fill() {
		return 0, false
	}
	b := s.buf[s.pos]
	s.pos++
	if b == '\n' {
		s.line++
	}
	return b, true
}

func (s *scanner) back() {
	s.pos--
	if s.buf[s.pos] == '\n' {
		s.line--
	}
}

// scanXML runs the check over r. maxCols bounds the columns (0: Excel's).
func scanXML(r io.Reader, maxCols int) error {
	x := &xmlScan{maxCols: maxCols}
	if x.maxCols == 0 {
		x.maxCols = MaxSheetCols
	}
	s := &scanner{buf: make([]byte, 0, 256<<10), r: r, line: 1}
	err := x.run(s)
	if err == nil && s.err != nil && s.err != io.EOF {
		err = s.err
	}
	return err
}

func (x *xmlScan) fail(s *scanner, format string, args ...any) error {
	return &xmlScanError{Row: x.row, Line: s.line, Msg: fmt.Sprintf(format, args...)}
}

func (x *xmlScan) run(s *scanner) error {
	var b0, b1 byte // the two bytes of text before b
	for {
		b, ok := s.next()
		if !ok {
			if len(x.stack) > 0 {
				return x.fail(s, "the part ends inside <%s>: it was cut short", x.stack[len(x.stack)-1])
			}
			return nil
		}
		switch {
		case b == '<':
			if err := x.markup(s); err != nil {
				return err
			}
		case b == '&':
			if err := x.entity(s); err != nil {
				return err
			}
		case b == '>' && b0 == ']' && b1 == ']':
			return x.fail(s, "unescaped ]]> not in CDATA section")
		default:
			if err := x.char(s, b); err != nil {
				return err
			}
		}
		b0, b1 = b1, b
		if b == '<' || b == '&' {
			b0, b1 = 0, 0
		}
	}
}

// char checks one character of text that starts with b.
func (x *xmlScan) char(s *scanner, b byte) error {
	if b < utf8.RuneSelf {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			return x.fail(s, "illegal character code U+%04X", b)
		}
		return nil
	}
	var seq [utf8.UTFMax]byte
	seq[0] = b
	n := 1
	for n < utf8.UTFMax && !utf8.FullRune(seq[:n]) {
		c, ok := s.next()
		if !ok {
			break
		}
		if c < 0x80 || c >= 0xC0 { // not a continuation byte
			s.back()
			break
		}
		seq[n] = c
		n++
	}
	r, size := utf8.DecodeRune(seq[:n])
	if r == utf8.RuneError || size != n {
		return x.fail(s, "invalid UTF-8")
	}
	if !isXMLChar(r) {
		return x.fail(s, "illegal character code %U", r)
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// entity checks a reference after '&'.
func (x *xmlScan) entity(s *scanner) error {
	var name [16]byte
	n := 0
	for {
		b, ok := s.next()
		if !ok {
			return x.fail(s, "unexpected end inside an entity")
		}
		if b == ';' {
			break
		}
		if n == len(name) || !(b == '#' || isNameByte(b)) {
			return x.fail(s, "a bare & (write &amp;) or an unknown entity")
		}
		name[n] = b
		n++
	}
	ent := string(name[:n])
	switch ent {
	case "lt", "gt", "amp", "apos", "quot":
		return nil
	}
	if len(ent) > 1 && ent[0] == '#' {
		var v int64
		digits, base := ent[1:], int64(10)
		if digits != "" && digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		for i := 0; i < len(digits); i++ {
			d := hexVal(digits[i])
			if d < 0 || d >= base || v > 0x10FFFF {
				return x.fail(s, "invalid character entity &%s;", ent)
			}
			v = v*base + d
		}
		if digits != "" && isXMLChar(rune(v)) && v <= 0x10FFFF {
			return nil
		}
	}
	return x.fail(s, "invalid character entity &%s;", ent)
}

func hexVal(c byte) int64 {
	switch {
	case c >= '0' && c <= '9':
		return int64(c - '0')
	case c >= 'a' && c <= 'f':
		return int64(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int64(c-'A') + 10
	}
	return -1
}

// isNameByte is an ASCII byte of an XML name. Names with other bytes are
// refused: no worksheet has them.
func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == ':' || c == '.' || c == '-'
}

// readName reads a name into x.name.
func (x *xmlScan) readName(s *scanner) error {
	x.name = x.name[:0]
	for {
		b, ok := s.next()
		if !ok {
			return x.fail(s, "unexpected end inside a tag")
		}
		if !isNameByte(b) {
			s.back()
			break
		}
		x.name = append(x.name, b)
	}
	if len(x.name) == 0 || x.name[0] >= '0' && x.name[0] <= '9' || x.name[0] == '-' || x.name[0] == '.' || x.name[0] == ':' {
		return x.fail(s, "expected an element or attribute name")
	}
	if x.name[len(x.name)-1] == ':' {
		return x.fail(s, "a name ends in a colon")
	}
	return nil
}

func skipSpace(s *scanner) (byte, bool) {
	for {
		b, ok := s.next()
		if !ok || !(b == ' ' || b == '\t' || b == '\n' || b == '\r') {
			return b, ok
		}
	}
}

// until skips to the end of a delimited section (after "-->", "?>" or
// "]]>"), checking its characters on the way.
func (x *xmlScan) until(s *scanner, end string) error {
	var tail [3]byte
	for n := 1; ; n++ {
		b, ok := s.next()
		if !ok {
			return x.fail(s, "unexpected end: %q never closes", end)
		}
		if err := x.char(s, b); err != nil {
			return err
		}
		tail[0], tail[1], tail[2] = tail[1], tail[2], b
		if n >= len(end) && string(tail[3-len(end):]) == end {
			return nil
		}
	}
}

// expect reads the bytes of lit.
func (x *xmlScan) expect(s *scanner, lit string) error {
	for i := 0; i < len(lit); i++ {
		if b, ok := s.next(); !ok || b != lit[i] {
			return x.fail(s, "expected %q", lit)
		}
	}
	return nil
}

// markup reads what follows '<'.
func (x *xmlScan) markup(s *scanner) error {
	b, ok := s.next()
	if !ok {
		return x.fail(s, "unexpected end after <")
	}
	switch b {
	case '?':
		return x.until(s, "?>")
	case '!':
		c, _ := s.next()
		switch c {
		case '-':
			if err := x.expect(s, "-"); err != nil {
				return err
			}
			return x.until(s, "-->")
		case '[':
			if err := x.expect(s, "CDATA["); err != nil {
				return err
			}
			return x.until(s, "]]>")
		}
		return x.fail(s, "a DOCTYPE or other declaration, which worksheets never hold")
	case '/':
		return x.endTag(s)
	}
	s.back()
	return x.startTag(s)
}

func (x *xmlScan) endTag(s *scanner) error {
	if err := x.readName(s); err != nil {
		return err
	}
	if b, ok := skipSpace(s); !ok || b != '>' {
		return x.fail(s, "invalid characters between </%s and >", x.name)
	}
	if len(x.stack) == 0 {
		return x.fail(s, "unexpected end element </%s>", x.name)
	}
	top := x.stack[len(x.stack)-1]
	if string(top) != string(x.name) {
		return x.fail(s, "element <%s> closed by </%s>", top, x.name)
	}
	x.stack = x.stack[:len(x.stack)-1]
	if string(localName(x.name)) == "row" {
		x.inRow = false
	}
	return nil
}

func localName(n []byte) []byte {
	for i := len(n) - 1; i >= 0; i-- {
		if n[i] == ':' {
			return n[i+1:]
		}
	}
	return n
}

func (x *xmlScan) startTag(s *scanner) error {
	if err := x.readName(s); err != nil {
		return err
	}
	elem := append([]byte(nil), x.name...)
	local := string(localName(elem))
	ref := ""
	for {
		b, ok := skipSpace(s)
		if !ok {
			return x.fail(s, "unexpected end inside <%s>", elem)
		}
		if b == '/' {
			if c, ok := s.next(); !ok || c != '>' {
				return x.fail(s, "expected /> in element <%s>", elem)
			}
			return x.opened(s, local, ref, elem, true)
		}
		if b == '>' {
			return x.opened(s, local, ref, elem, false)
		}
		s.back()
		if err := x.readName(s); err != nil {
			return err
		}
		x.attrName = append(x.attrName[:0], x.name...)
		if b, ok := skipSpace(s); !ok || b != '=' {
			return x.fail(s, "attribute %s without = in element <%s>", x.attrName, elem)
		}
		q, ok := skipSpace(s)
		if !ok || q != '"' && q != '\'' {
			return x.fail(s, "unquoted or missing attribute value in element <%s>", elem)
		}
		x.attrVal = x.attrVal[:0]
		var c0, c1 byte
		for {
			c, ok := s.next()
			if !ok {
				return x.fail(s, "unexpected end in an attribute value")
			}
			if c == q {
				break
			}
			if c == '>' && c0 == ']' && c1 == ']' {
				return x.fail(s, "unescaped ]]> not in CDATA section")
			}
			c0, c1 = c1, c
			switch c {
			case '<':
				return x.fail(s, "unescaped < inside quoted string")
			case '&':
				if err := x.entity(s); err != nil {
					return err
				}
			default:
				if err := x.char(s, c); err != nil {
					return err
				}
				if len(x.attrVal) < 32 {
					x.attrVal = append(x.attrVal, c)
				}
			}
		}
		if string(x.attrName) == "r" {
			ref = string(x.attrVal)
		}
	}
}

// opened records an element just opened: the rows and cells it counts.
func (x *xmlScan) opened(s *scanner, local, ref string, elem []byte, empty bool) error {
	switch local {
	case "row":
		if n := atoiRef(ref); n > 0 {
			x.row = n
		} else {
			x.row++
		}
		x.col = 0
		if x.row > MaxSheetRows {
			return &limitError{xmlScanError{Row: x.row, Line: s.line, Msg: fmt.Sprintf("the sheet has more than %d rows, Excel's own limit", MaxSheetRows)}}
		}
		x.inRow = !empty
	case "c":
		if x.inRow {
			if n := colOfRef(ref); n > 0 {
				x.col = n
			} else {
				x.col++
			}
			if x.col > x.maxCols {
				return &limitError{xmlScanError{Row: x.row, Line: s.line, Msg: fmt.Sprintf("the row has more than %d columns", x.maxCols)}}
			}
		}
	}
	if !empty {
		x.stack = append(x.stack, elem)
	}
	return nil
}

// atoiRef reads a row number attribute; 0 if it is not one.
func atoiRef(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || n > MaxSheetRows*10 {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// colOfRef reads the column of a cell reference like "XFD12"; 0 if none.
func colOfRef(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		n = n*26 + int(c-'a'+1)
		if n > MaxSheetCols*26 {
			break
		}
	}
	return n
}
