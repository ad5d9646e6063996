package safefile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Inputs are the files one command reads. No output may be one of them.
type Inputs struct {
	paths []string
}

// Add records input paths; empty ones are ignored.
func (in *Inputs) Add(paths ...string) {
	for _, p := range paths {
		if p != "" {
			in.paths = append(in.paths, p)
		}
	}
}

// Clash returns the input that out would write over, or "". It compares
// cleaned absolute paths (case-insensitively, for file systems that fold
// case) and, for files that exist, their identity, so a link or a second
// name of an input is caught too.
func (in *Inputs) Clash(out string) string {
	oa := absClean(out)
	ost, oerr := os.Stat(out)
	for _, p := range in.paths {
		if strings.EqualFold(absClean(p), oa) {
			return p
		}
		if oerr != nil {
			continue
		}
		if pst, err := os.Stat(p); err == nil && os.SameFile(ost, pst) {
			return p
		}
	}
	return ""
}

// Refuse returns an error when out, a path the user chose, is an input.
func (in *Inputs) Refuse(flag, out string) error {
	if p := in.Clash(out); p != "" {
		return fmt.Errorf("%s %s would write over %s, which this command reads; choose another file name", flag, out, p)
	}
	return nil
}

// Derive returns path, or, when path is an input or one of taken, the
// first free variant with infix before the extension: q.xlsx → q.plan.xlsx,
// q.plan-2.xlsx, …
func (in *Inputs) Derive(path, infix string, taken ...string) string {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	cand := path
	for i := 1; ; i++ {
		if in.Clash(cand) == "" && !in.isTaken(cand, taken) {
			return cand
		}
		if i == 1 {
			cand = stem + "." + infix + ext
		} else {
			cand = fmt.Sprintf("%s.%s-%d%s", stem, infix, i, ext)
		}
	}
}

func (in *Inputs) isTaken(p string, taken []string) bool {
	other := Inputs{paths: taken}
	return other.Clash(p) != ""
}

func absClean(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(a)); err == nil {
		a = filepath.Join(dir, filepath.Base(a))
	}
	return a
}
