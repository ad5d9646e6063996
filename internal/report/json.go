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
		for e := range doc.Entries {
			if e.Changes == nil {
				e.Changes = map[string]Change{}
			}
			if e.Issues == nil {
				e.Issues = emptyIssues
			}
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if !first {
				bw.WriteByte(',')
			}
			first = false
			bw.WriteString("\n  ")
			bw.Write(b)
		}
		_, err = bw.WriteString("\n ]\n}\n")
		return err
	})
}
