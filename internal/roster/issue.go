package roster

import "fmt"

// Severity says whether an issue makes its row invalid.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Issue is one problem found in a roster. Row is 0 for problems of the whole
// file. Column is the header as the file spells it, when the problem belongs to
// one cell. Code is stable and documented in the README; Message says what is
// wrong and what to do about it.
type Issue struct {
	Row      int      `json:"row,omitempty"`
	Column   string   `json:"column,omitempty"`
	Field    Field    `json:"field,omitempty"`
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

func (i Issue) String() string {
	loc := "file"
	if i.Row > 0 {
		loc = fmt.Sprintf("row %d", i.Row)
	}
	if i.Column != "" {
		loc += fmt.Sprintf(", column %q", i.Column)
	}
	return fmt.Sprintf("%s: %s: %s [%s]", loc, i.Severity, i.Message, i.Code)
}

// HasErrors reports whether any issue is an error.
func HasErrors(issues []Issue) bool {
	for _, i := range issues {
		if i.Severity == Error {
			return true
		}
	}
	return false
}
