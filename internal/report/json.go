package report

import (
	"bufio"
	"encoding/json"
)

func writeJSON(path string, doc *Document) error {
	return writeFile(path, func(bw *bufio.Writer) error {
		head := struct {
			Kind    string  `json:"kind"`
			Source  string  `json:"source"`
			Summary Summary `json:"summary"`
			Plan    any     `json:"plan,omitempty"`
		}{doc.Kind, doc.Source, doc.Summary, doc.Raw}
		b, err := json.MarshalIndent(head, "", " ")
		if err != nil {
			return err
		}
		bw.Write(b[:len(b)-2]) // drop the closing "\n}"
		bw.WriteString(",\n \"rows\": [")
		first := true
		buf := make([]byte, 0, 96<<10)
		for e := range doc.Entries {
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = append(buf, "\n  "...)
			buf = appendEntry(buf, e)
			if buf, err = spill(bw, buf); err != nil {
				return err
			}
		}
		if err := doc.cut(); err != nil {
			return err
		}
		bw.Write(buf)
		_, err = bw.WriteString("\n ]\n}\n")
		return err
	})
}
