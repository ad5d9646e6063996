package report

import (
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/wpimport/wpimport/internal/roster"
)

// appendEntry appends e as JSON, byte for byte what encoding/json writes
// for it (TestAppendEntryMatchesMarshal), without reflection or garbage:
// a million-row report is written in a fraction of the time.
func appendEntry(b []byte, e *Entry) []byte {
	b = append(b, `{"row":`...)
	b = strconv.AppendInt(b, int64(e.Row), 10)
	b = append(b, `,"key":`...)
	b = appendString(b, e.Key)
	if e.Name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, e.Name)
	}
	b = append(b, `,"action":`...)
	b = appendString(b, e.Action)
	b = append(b, `,"status":`...)
	b = appendString(b, e.Status)
	b = append(b, `,"account_id":`...)
	b = appendString(b, e.AccountID)
	b = append(b, `,"changes":{`...)
	if len(e.Changes) > 0 {
		keys := make([]string, 0, len(e.Changes))
		for k := range e.Changes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ":["...)
			b = appendString(b, e.Changes[k][0])
			b = append(b, ',')
			b = appendString(b, e.Changes[k][1])
			b = append(b, ']')
		}
	}
	b = append(b, `},"issues":[`...)
	for i := range e.Issues {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendIssue(b, &e.Issues[i])
	}
	b = append(b, `],"attempts":`...)
	b = strconv.AppendInt(b, int64(e.Attempts), 10)
	if e.ErrorCode != "" {
		b = append(b, `,"error_code":`...)
		b = appendString(b, e.ErrorCode)
	}
	if e.ErrorMessage != "" {
		b = append(b, `,"error_message":`...)
		b = appendString(b, e.ErrorMessage)
	}
	return append(b, '}')
}

func appendIssue(b []byte, is *roster.Issue) []byte {
	b = append(b, '{')
	if is.Row != 0 {
		b = append(b, `"row":`...)
		b = strconv.AppendInt(b, int64(is.Row), 10)
		b = append(b, ',')
	}
	if is.Column != "" {
		b = append(b, `"column":`...)
		b = appendString(b, is.Column)
		b = append(b, ',')
	}
	if is.Field != "" {
		b = append(b, `"field":`...)
		b = appendString(b, string(is.Field))
		b = append(b, ',')
	}
	b = append(b, `"severity":`...)
	b = appendString(b, string(is.Severity))
	b = append(b, `,"code":`...)
	b = appendString(b, is.Code)
	b = append(b, `,"message":`...)
	b = appendString(b, is.Message)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does:
// HTML-safe, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
