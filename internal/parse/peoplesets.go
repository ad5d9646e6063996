package parse

import (
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
)

// People set columns. They are not roster fields: they come through their
// own header mapping.
const (
	SetName     roster.Field = "people_set"
	SetField    roster.Field = "field"
	SetOperator roster.Field = "operator"
	SetValues   roster.Field = "values"
	SetAction   roster.Field = "action"
)

var peopleSetHeaders = map[string]roster.Field{
	"peopleset": SetName, "peoplesetname": SetName, "set": SetName, "setname": SetName, "name": SetName, "audience": SetName,
	"field": SetField, "conditionfield": SetField, "attribute": SetField,
	"operator": SetOperator, "conditionoperator": SetOperator, "op": SetOperator,
	"values": SetValues, "value": SetValues, "conditionvalues": SetValues,
	"action": SetAction, "delete": SetAction,
	// roster aliases that would otherwise shadow these headers
	"title": "", "email": "",
}

// OpenPeopleSets opens the people sets of a csv, or of the sheet named
// sheet ("People Sets" if "") of an xlsx.
func OpenPeopleSets(path, sheet string) (*Reader, error) {
	if sheet == "" {
		sheet = PeopleSetsSheet
	}
	return Open(path, Options{Sheet: sheet, Mapping: peopleSetHeaders, Require: requirePeopleSets})
}

func requirePeopleSets(path string, h *roster.Header) error {
	var missing []string
	for _, f := range []roster.Field{SetName, SetField, SetOperator, SetValues} {
		if !h.Has(f) {
			missing = append(missing, string(f))
		}
	}
	if len(missing) > 0 {
		return fileErr(path, nil, "a people sets file needs the columns people_set, field, operator and values (values separated by ;); missing: %s",
			strings.Join(missing, ", "))
	}
	return nil
}
