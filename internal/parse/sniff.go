package parse

import (
	"bytes"
	"io"
	"os"
	"strings"
)

type kind int

const (
	kindText kind = iota
	kindXLSX
	kindOLE // legacy .xls or an encrypted OOXML workbook
	kindBinary
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	// An encrypted OOXML file is an OLE container with these streams.
	encryptionInfo = utf16le("EncryptionInfo")
)

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

// sniff reads the start of the file and says what it is.
func sniff(path string) (kind, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, nil, err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindXLSX, head, nil
	case bytes.HasPrefix(head, oleMagic):
		return kindOLE, head, nil
	case hasBOM16(head):
		return kindText, head, nil
	case bytes.IndexByte(head, 0) >= 0 || controlRatio(head) > 0.05:
		return kindBinary, head, nil
	}
	return kindText, head, nil
}

func hasBOM16(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF})
}

// controlRatio is the share of bytes that are control characters other
// than tab, CR and LF: high in binary files, zero in text.
func controlRatio(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	n := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\f' {
			n++
		}
	}
	return float64(n) / float64(len(b))
}

// oleReason explains an OLE container: an encrypted workbook or a legacy .xls.
func oleReason(path string, head []byte) string {
	if bytes.Contains(head, encryptionInfo) {
		return "the workbook is protected with a password; open it in Excel, remove the password " +
			"(File > Info > Protect Workbook > Encrypt with Password, clear it) and save it again"
	}
	return "this is a legacy Excel 97-2003 (.xls) workbook, which wpimport does not read; " +
		"open it in Excel and use File > Save As > Excel Workbook (.xlsx), or save it as CSV UTF-8"
}

func isXLSName(path string) bool { return strings.EqualFold(ext(path), ".xls") }

func ext(path string) string {
	i := strings.LastIndexByte(path, '.')
	if i < 0 || strings.ContainsAny(path[i:], `/\`) {
		return ""
	}
	return path[i:]
}
