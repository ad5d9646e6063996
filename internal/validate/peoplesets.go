package validate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/roster"
)

// Enums of the people sets API.
var (
	SetFields = map[string]bool{"ACCOUNT_STATUS": true, "DEPARTMENT": true, "DIVISION": true, "LOCATION": true, "MANAGER": true,
		"MANAGER_RECURSIVE": true, "MEMBER_TYPE": true, "ORGANIZATION": true, "START_DATE": true, "TITLE": true}
	SetOperators = map[string]bool{"CONTAINS": true, "ENTITY_SET_IS": true, "ENUM_SET_IS": true, "GREATER_THAN": true,
		"LESS_THAN": true, "IS": true, "IS_ANY_OF": true, "STARTS_WITH": true}
)

// IsPeopleField reports a condition field whose values are people.
func IsPeopleField(f string) bool { return f == "MANAGER" || f == "MANAGER_RECURSIVE" }

// SetCondition is one checked condition.
type SetCondition struct {
	Row      int
	Field    string
	Operator string
	Values   []string
}

// PeopleSet is one set as the input asks for it.
type PeopleSet struct {
	Name       string
	Rows       []int
	Delete     bool
	Conditions []SetCondition
	Issues     []roster.Issue
}

// Valid reports whether the set has no error.
func (s *PeopleSet) Valid() bool { return !roster.HasErrors(s.Issues) }

// PeopleSets is a validated people sets input.
type PeopleSets struct {
	Path       string
	Sets       []*PeopleSet
	FileIssues []roster.Issue
}

// ValidatePeopleSets reads and checks people set rows; rows of the same set
// name form one set.
func ValidatePeopleSets(rd *parse.Reader) (*PeopleSets, error) {
	out := &PeopleSets{Path: rd.Path, FileIssues: rd.FileIssues}
	byName := map[string]*PeopleSet{}
	h := &rd.Header
	for rd.Next() {
		row := rd.Row()
		rec := &row.Record
		name, _, _ := h.Value(rec, parse.SetName)
		field, fcol, _ := h.Value(rec, parse.SetField)
		op, ocol, _ := h.Value(rec, parse.SetOperator)
		vals, vcol, _ := h.Value(rec, parse.SetValues)
		action, acol, _ := h.Value(rec, parse.SetAction)
		set := byName[name]
		if set == nil {
			set = &PeopleSet{Name: name}
			byName[name] = set
			out.Sets = append(out.Sets, set)
		}
		set.Rows = append(set.Rows, rec.Row)
		set.Issues = append(set.Issues, row.Issues...)
		bad := func(col, code, format string, args ...any) {
			set.Issues = append(set.Issues, roster.Issue{Row: rec.Row, Column: col, Severity: roster.Error, Code: code, Message: fmt.Sprintf(format, args...)})
		}
		if name == "" {
			bad("", "people_set.name_missing", "the row has no people set name; fill in the people_set column")
			continue
		}
		switch strings.ToLower(action) {
		case "", "keep", "upsert":
		case "delete", "remove", "x", "yes", "true":
			set.Delete = true
			if field == "" && op == "" && vals == "" {
				continue
			}
		default:
			bad(acol, "people_set.action_invalid", "%q is not an action; leave it empty, or write delete to remove the set", action)
			continue
		}
		c := SetCondition{Row: rec.Row, Field: strings.ToUpper(strings.ReplaceAll(field, " ", "_")), Operator: strings.ToUpper(strings.ReplaceAll(op, " ", "_"))}
		if !SetFields[c.Field] {
			bad(fcol, "people_set.field_invalid", "%q is not a people set field; use one of %s", field, enumList(SetFields))
		}
		if !SetOperators[c.Operator] {
			bad(ocol, "people_set.operator_invalid", "%q is not a people set operator; use one of %s", op, enumList(SetOperators))
		}
		for _, v := range strings.Split(vals, ";") {
			if v = strings.TrimSpace(v); v != "" {
				c.Values = append(c.Values, v)
			}
		}
		if len(c.Values) == 0 {
			bad(vcol, "people_set.values_missing", "the condition has no values; write them in the values column, separated by ;")
		}
		if c.Field == "START_DATE" {
			for i, v := range c.Values {
				norm, p := Date(v)
				if p != nil {
					bad(vcol, "people_set.date_invalid", "START_DATE value %q: %s", v, p.msg)
				}
				c.Values[i] = norm
			}
		}
		for _, o := range set.Conditions {
			if o.Field == c.Field && o.Operator == c.Operator && strings.Join(o.Values, ";") == strings.Join(c.Values, ";") {
				set.Issues = append(set.Issues, roster.Issue{Row: rec.Row, Column: fcol, Severity: roster.Warning, Code: "people_set.duplicate_condition",
					Message: fmt.Sprintf("the same condition is on row %d; it is used once", o.Row)})
				c.Field = ""
			}
		}
		if c.Field != "" {
			set.Conditions = append(set.Conditions, c)
		}
	}
	if err := rd.Err(); err != nil {
		return nil, err
	}
	for _, s := range out.Sets {
		if s.Name != "" && !s.Delete && len(s.Conditions) == 0 && s.Valid() {
			s.Issues = append(s.Issues, roster.Issue{Row: s.Rows[0], Severity: roster.Error, Code: "people_set.values_missing",
				Message: "the set has no condition; add at least one row with field, operator and values"})
		}
	}
	return out, nil
}

func enumList(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
