package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

func writeJSON(path string, doc *Document) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", path, cerr)
		}
	}()
	bw := bufio.NewWriterSize(f, 256<<10)
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
	bw.WriteString("\n ]\n}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
