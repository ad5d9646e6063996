package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/safefile"
)

// ResultsFormat is the version of the results as data (the json form's
// "info" and "changes", the xlsx form's Data sheet). Results without them
// (format 1, an older wpimport's) can still be read for their statuses.
const ResultsFormat = 2

// ResultsInfo says what a results file records the apply of.
type ResultsInfo struct {
	PlanPath    string          `json:"plan_path"`
	Digest      string          `json:"plan_digest"`
	PlanKind    string          `json:"plan_kind"` // roster, offboard, undo
	PlanMade    time.Time       `json:"plan_made"`
	API         string          `json:"api"`
	APIURL      string          `json:"api_url"`
	Target      plan.TargetInfo `json:"target"`
	Roster      plan.RosterInfo `json:"roster"`
	ToolVersion string          `json:"tool_version"`
	// Options are the plan's options, for an undo's guards.
	Options plan.Options `json:"options"`
}

// ChangeResult is what became of one change: the change as planned (Before
// as read, After as wanted) and its outcome (nil if it never ran).
type ChangeResult struct {
	Change  plan.Change      `json:"change"`
	Outcome *execute.Outcome `json:"outcome,omitempty"`
}

// resultData lists every change of p with its outcome.
func resultData(p *plan.Plan, out map[int]*execute.Outcome) iter.Seq[*ChangeResult] {
	return func(yield func(*ChangeResult) bool) {
		var cr ChangeResult
		for i := range p.Changes {
			cr = ChangeResult{Change: p.Changes[i], Outcome: out[p.Changes[i].ID]}
			if !yield(&cr) {
				return
			}
		}
	}
}

// resultsInfo describes the apply of run.
func resultsInfo(run Run) *ResultsInfo {
	p := run.Plan
	return &ResultsInfo{PlanPath: run.PlanPath, Digest: run.Digest, PlanKind: p.Kind, PlanMade: p.CreatedAt, API: p.API, APIURL: p.APIURL,
		Target: p.Target, Roster: p.Roster, ToolVersion: run.Version, Options: p.Options}
}

// Results is a results file read back as data.
type Results struct {
	FormatVersion int
	Info          ResultsInfo
	Rows          []RowStatus
	Changes       []ChangeResult
}

// dataSheet is the hidden sheet of a results workbook that holds the
// results as data: A1 the info, then one change a row, as JSON split over
// as many cells as a row needs (a cell holds 32,767 characters).
const dataSheet = "Data"

// dataCell is how many characters of JSON one cell of the Data sheet holds.
const dataCell = 32_000

// writeData writes doc's results as data to the Data sheet of f.
func writeData(f *excelize.File, doc *Document) error {
	if doc.Info == nil || doc.Data == nil {
		return nil
	}
	if _, err := f.NewSheet(dataSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(dataSheet)
	if err != nil {
		return err
	}
	row := 1
	put := func(v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		var cells []any
		for s := string(data); len(s) > 0; {
			n := min(len(s), dataCell)
			for n < len(s) && !utf8Start(s[n]) {
				n--
			}
			cells = append(cells, s[:n])
			s = s[n:]
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	head := struct {
		FormatVersion int          `json:"format_version"`
		Info          *ResultsInfo `json:"info"`
	}{ResultsFormat, doc.Info}
	if err := put(head); err != nil {
		return err
	}
	for c := range doc.Data {
		if err := put(c); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SetSheetVisible(dataSheet, false)
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// ReadResults reads a results file written by Write (json or xlsx) back as
// data: the apply it records, each row's status, and every change with its
// outcome. A csv results file, or one an older wpimport wrote, holds no
// such record: the error says so.
func ReadResults(path string) (*Results, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json", ".xlsx":
	default:
		return nil, fmt.Errorf("%s: a csv results file holds each row's status but not what the apply changed; give the .json or .xlsx results apply wrote", path)
	}
	rows, err := ReadStatuses(path)
	if err != nil {
		return nil, err
	}
	r := &Results{Rows: rows}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		data, err := safefile.ReadFile(path, maxResultsBytes)
		if err != nil {
			return nil, err
		}
		var doc struct {
			FormatVersion int             `json:"format_version"`
			Kind          string          `json:"kind"`
			Info          *ResultsInfo    `json:"info"`
			Changes       []*ChangeResult `json:"changes"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s is not a wpimport results file: %w", path, err)
		}
		if doc.Kind != "results" {
			return nil, fmt.Errorf("%s is a wpimport %s file, not the results of an apply", path, doc.Kind)
		}
		r.FormatVersion = doc.FormatVersion
		if doc.Info != nil {
			r.Info = *doc.Info
		}
		for _, c := range doc.Changes {
			r.Changes = append(r.Changes, *c)
		}
	case ".xlsx":
		if err := readDataSheet(path, r); err != nil {
			return nil, err
		}
	}
	if r.FormatVersion != ResultsFormat {
		return nil, fmt.Errorf("%s was written by a wpimport that did not record what each change did (results format %d; this one reads %d): "+
			"it can be retried with --only-failed, but not read as data", path, r.FormatVersion, ResultsFormat)
	}
	return r, nil
}

func readDataSheet(path string, r *Results) error {
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: maxResultsBytes})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	rows, err := f.Rows(dataSheet)
	if err != nil {
		r.FormatVersion = 1 // no Data sheet: an older wpimport's results
		return nil
	}
	defer rows.Close()
	first := true
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			return fmt.Errorf("%s: sheet %s: %w", path, dataSheet, err)
		}
		line := []byte(strings.Join(cells, ""))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if first {
			first = false
			var head struct {
				FormatVersion int          `json:"format_version"`
				Info          *ResultsInfo `json:"info"`
			}
			if err := json.Unmarshal(line, &head); err != nil || head.Info == nil {
				return fmt.Errorf("%s: sheet %s: not wpimport's results data", path, dataSheet)
			}
			r.FormatVersion, r.Info = head.FormatVersion, *head.Info
			continue
		}
		var c ChangeResult
		if err := json.Unmarshal(line, &c); err != nil {
			return fmt.Errorf("%s: sheet %s: a change cannot be read: %w", path, dataSheet, err)
		}
		r.Changes = append(r.Changes, c)
	}
	return rows.Error()
}
