package parse

import (
	"fmt"
	"strings"

	"github.com/gocarina/gocsv"
	"go.yaml.in/yaml/v3"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/safefile"
)

// LoadMapping reads a header mapping: a csv with the columns header,field or
// a yaml map of header: field. It returns normalized header → field; the
// field roster.Ignore ("ignore") marks a column not to import.
func LoadMapping(path string) (map[string]roster.Field, error) {
	data, err := safefile.ReadFile(path, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("read mapping %s: %w", path, err)
	}
	pairs := map[string]string{}
	switch strings.ToLower(ext(path)) {
	case ".yaml", ".yml":
		if err := yaml.Unmarshal(data, &pairs); err != nil {
			return nil, fmt.Errorf("mapping %s: not a yaml map of header: field: %w", path, err)
		}
	default:
		var rows []struct {
			Header string `csv:"header"`
			Field  string `csv:"field"`
		}
		if err := gocsv.UnmarshalBytes(data, &rows); err != nil {
			return nil, fmt.Errorf("mapping %s: expected a csv with the columns header,field: %w", path, err)
		}
		for _, r := range rows {
			pairs[r.Header] = r.Field
		}
	}
	out := map[string]roster.Field{}
	for h, f := range pairs {
		field := roster.Field(strings.ToLower(strings.TrimSpace(f)))
		if !roster.IsField(field) && field != roster.Ignore {
			return nil, fmt.Errorf("mapping %s: %q maps to %q, which is not a field; use one of: %s, or %s for a column not to import",
				path, h, f, fieldList(), roster.Ignore)
		}
		out[roster.NormalizeHeader(h)] = field
	}
	return out, nil
}

func fieldList() string {
	names := make([]string, len(roster.Fields))
	for i, f := range roster.Fields {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}
