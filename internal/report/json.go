package report

import (
	"bufio"
	"encoding/json"
)

func writeJSON(path string, doc *Document) error {
	return writeFile(path, func(bw *bufio.Writer) error {
		head := struct {
			FormatVersion int          `json:"format_version,omitempty"`
			Kind          string       `json:"kind"`
			Source        string       `json:"source"`
			Info          *ResultsInfo `json:"info,omitempty"`
			Summary       Summary      `json:"summary"`
		}{Kind: doc.Kind, Source: doc.Source, Info: doc.Info, Summary: doc.Summary}
		if doc.Info != nil {
			head.FormatVersion = ResultsFormat
		}
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
		bw.WriteString("\n ]")
		if doc.Data != nil {
			bw.WriteString(",\n \"changes\": [")
			first := true
			for c := range doc.Data {
				line, err := json.Marshal(c)
				if err != nil {
					return err
				}
				if !first {
					bw.WriteByte(',')
				}
				first = false
				bw.WriteString("\n  ")
				bw.Write(line)
			}
			if err := doc.cut(); err != nil {
				return err
			}
			bw.WriteString("\n ]")
		}
		_, err = bw.WriteString("\n}\n")
		return err
	})
}
