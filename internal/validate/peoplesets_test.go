package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/parse"
)

func TestPeopleSets(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sets.csv")
	os.WriteFile(p, []byte("Set Name,Condition Field,Operator,Values,Action\n"+
		"Eng,department,is any of,Engineering; Platform ,\n"+ // 2: fine, normalized
		"Eng,DEPARTMENT,IS_ANY_OF,Engineering;Platform,\n"+ // 3: duplicate condition
		"Bad,SHOE_SIZE,IS,9,\n"+ // 4
		"Bad2,TITLE,LIKE,x,\n"+ // 5
		"Empty,TITLE,IS,,\n"+ // 6
		"Dates,START_DATE,GREATER_THAN,03/04/2024,\n"+ // 7
		"Gone,,,,delete\n"+ // 8
		",TITLE,IS,x,\n"+ // 9
		"Odd,TITLE,IS,x,maybe\n"), 0o600) // 10
	rd, err := parse.OpenPeopleSets(p, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	ps, err := ValidatePeopleSets(rd)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, s := range ps.Sets {
		for _, is := range s.Issues {
			got[s.Name] = append(got[s.Name], is.Code)
		}
	}
	want := map[string]string{
		"Eng": "people_set.duplicate_condition", "Bad": "people_set.field_invalid", "Bad2": "people_set.operator_invalid",
		"Empty": "people_set.values_missing", "Dates": "people_set.date_invalid", "Gone": "", "": "people_set.name_missing",
		"Odd": "people_set.action_invalid",
	}
	for name, w := range want {
		if g := strings.Join(got[name], ","); g != w {
			t.Errorf("set %q: %s, want %s", name, g, w)
		}
	}
	eng := ps.Sets[0]
	if !eng.Valid() || len(eng.Conditions) != 1 || eng.Conditions[0].Operator != "IS_ANY_OF" || strings.Join(eng.Conditions[0].Values, "|") != "Engineering|Platform" {
		t.Errorf("Eng = %+v", eng)
	}
	if gone := ps.Sets[5]; !gone.Delete || !gone.Valid() {
		t.Errorf("Gone = %+v", gone)
	}
	if _, err := parse.OpenPeopleSets(filepath.Join("../../samples", "roster.csv"), ""); err == nil || !strings.Contains(err.Error(), "people_set, field, operator and values") {
		t.Errorf("roster as people sets: %v", err)
	}
}
