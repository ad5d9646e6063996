package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/safefile"
)

// RowStatus is one row of a results file, as ReadStatuses reads it back.
type RowStatus struct {
	Row    int
	Key    string
	Status string
}

// maxResultsBytes bounds a results file read back (a million rows of json
// are about 400 MB).
const maxResultsBytes = 2 << 30

// ReadStatuses reads the row, key and status columns of a results file
// written by Write (xlsx, csv or json). It reads no more than
// maxResultsBytes, and nothing but a regular file.
func ReadStatuses(path string) ([]RowStatus, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		data, err := safefile.ReadFile(path, maxResultsBytes)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Rows []struct {
				Row    int    `json:"row"`
				Key    string `json:"key"`
				Status string `json:"status"`
			} `json:"rows"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s is not a wpimport results file: %w", path, err)
		}
		out := make([]RowStatus, len(doc.Rows))
		for i, r := range doc.Rows {
			out[i] = RowStatus{r.Row, r.Key, r.Status}
		}
		return out, nil
	case ".csv":
		data, err := safefile.ReadFile(path, maxResultsBytes)
		if err != nil {
			return nil, err
		}
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1 // rows without the roster's cells are shorter
		recs, err := cr.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return statusRows(path, recs)
	case ".xlsx":
		rf, err := safefile.Open(path) // a regular file, opened without blocking
		if err != nil {
			return nil, err
		}
		rf.Close()
		f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: maxResultsBytes})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer f.Close()
		recs, err := f.GetRows(sheetName("results"))
		if err != nil {
			return nil, fmt.Errorf("%s: no Results sheet: %w", path, err)
		}
		return statusRows(path, recs)
	}
	return nil, fmt.Errorf("%s: unknown results format; give the .xlsx, .csv or .json apply wrote", path)
}

func statusRows(path string, recs [][]string) ([]RowStatus, error) {
	col := map[string]int{}
	if len(recs) > 0 {
		for i, h := range recs[0] {
			if _, ok := col[h]; !ok {
				col[h] = i
			}
		}
	}
	ri, ok1 := col["row"]
	ki, ok2 := col["key"]
	si, ok3 := col["status"]
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("%s is not a wpimport results file (it has no row, key and status columns)", path)
	}
	var out []RowStatus
	for _, r := range recs[1:] {
		if len(r) <= max(ri, ki, si) {
			continue
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(r[ri], "'"))
		out = append(out, RowStatus{n, strings.TrimPrefix(r[ki], "'"), r[si]})
	}
	return out, nil
}
