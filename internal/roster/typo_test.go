package roster

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"fristname", "firstname", 1}, // a swap of two neighbours is one edit
		{"workemial", "workemail", 1},
		{"emplyeenumber", "employeenumber", 1},
		{"email", "email", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"site", "title", 2},
		{"username", "surname", 2},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a swapped pair
		{"prénom", "prenom", 1},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.b, tc.a, got, tc.want)
		}
	}
}

// The typos admins made: each is taken for the header it misspells, shown
// as the file would have written it.
func TestResembleTypos(t *testing.T) {
	for _, tc := range []struct {
		header, meant string
		field         Field
	}{
		{"Frist Name", "First Name", FirstName},
		{"Work Emial", "Work Email", Email},
		{"Emplyee Number", "Employee Number", ExternalID},
		{"EMPLYEE NUMBER", "EMPLOYEE NUMBER", ExternalID},
		{"work_emial", "work_email", Email},
		{"Emial", "Email", Email},
		{"Nmae", "Name", Name},
		{"Last Nmae", "Last Name", LastName},
		{"Employe ID", "Employee ID", ExternalID},
		{"Manger Email", "Manager Email", Manager},
		{"Departmnet", "Department", Department},
		{"Frontline Acess", "Frontline Access", HasAccess},
		{"Hire Dt", "Hire Date", StartDate}, // two edits from an alias of 8 letters
		{"Emai", "Email", Email},
		{"\ufeffFrist Name ", "First Name", FirstName},
	} {
		meant, f, ok := Resemble(tc.header)
		if !ok || meant != tc.meant || f != tc.field {
			t.Errorf("Resemble(%q) = %q, %q, %v; want %q, %q", tc.header, meant, f, ok, tc.meant, tc.field)
		}
	}
}

// Whatever the header, a header Resemble offers is a known one, at most two
// edits away.
func FuzzResemble(f *testing.F) {
	for _, s := range []string{"Frist Name", "EMPLYEE NUMBER", "Mail Address", "Employee #", "e-mial", "\ufeffNmae", "Prénom", "\xff\xfeEmial"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		meant, field, ok := Resemble(h)
		if !ok {
			return
		}
		if g, known := Lookup(meant); !known || g != field {
			t.Fatalf("Resemble(%q) = %q (%s), which maps to %q", h, meant, field, g)
		}
		if d := Distance(NormalizeHeader(h), NormalizeHeader(meant)); d < 1 || d > 2 {
			t.Fatalf("Resemble(%q) = %q: %d edits", h, meant, d)
		}
	})
}

// Real columns that are not typos stay unknown columns: each was checked
// against every alias.
func TestResembleLeavesOtherColumns(t *testing.T) {
	for _, h := range []string{
		"Status", "Claimed", "timezone", "Time Zone", "Badge Colour", "Notes", "Note", "Team", "Teams", "Site", "Grade", "Region",
		"Level", "Country", "City", "Shift", "User Name", "Username", "Nickname", "Middle Name", "Preferred Name", "Known As",
		"Manager Name", "Employee Type", "Employee Status", "Employment Type", "End Date", "Birth Date", "Date of Birth", "Gender",
		"Pronouns", "Home Phone", "Home Email", "Personal Email", "Sub Department", "Department ID", "Department Name",
		"Location ID", "Location Code", "Division Code", "Job Code", "Job Level", "Job Family", "Position ID", "Phone Ext",
		"Phone 2", "Email 2", "Manager 2", "Title 2", "Mobile 2", "Alt Email", "Photo", "Picture", "Is Active", "Active Status",
		"Inactive", "Frontline Worker", "Role", "Code", "Type", "State", "Desk", "Floor", "Building", "Address", "Postcode",
		"Zip", "Salary", "FTE", "Contract", "Business Unit", "Cost Center Name", "Supervisor", "Supervisor Email", "Reports To",
		"Company Code", "Legal Entity", "Legal First Name", "Work Site", "Workplace", "Termination Date", "Leave Date",
		"Last Day", "First Day", "Start", "Hired", "Email Type", "Account Type", "Account Status", "Login Name", "Org",
		"Org Unit", "Division Name", "Cost", "Center", "Dept Name", "Department Head", "Position Title", "Job", "Ext",
		"Comments", "Tags", "Skills", "Line Manager", "Manager Phone", "Display", "Seniority", "Employee Group", "Worker ID",
		"Contractor", "Nationality", "Language Code", "Preferred Language", "Locale Code", "Area", "Zone", "Branch", "Store ID",
		"District", "Market", "ID2", "Nom", "Prénom", "",
	} {
		if meant, f, ok := Resemble(h); ok {
			t.Errorf("Resemble(%q) = %q (%s); it is another column, not a typo", h, meant, f)
		}
	}
	for _, h := range []string{"Email", "First name", "EMPLOYEE_ID"} {
		if _, _, ok := Resemble(h); ok {
			t.Errorf("Resemble(%q): a known header is no misspelling", h)
		}
	}
}

func TestMisspellings(t *testing.T) {
	cells := []string{"Frist Name", "Last Name", "Work Emial", "Emplyee Number", "Status"}
	h := NewHeader(1, cells, nil)
	got := h.Misspellings()
	want := []Misspelling{{"Frist Name", "First Name", FirstName}, {"Work Emial", "Work Email", Email}, {"Emplyee Number", "Employee Number", ExternalID}}
	if len(got) != len(want) {
		t.Fatalf("Misspellings = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Misspellings[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// The field already has a column: an extra column, not a typo.
	h = NewHeader(1, []string{"First Name", "Frist Name", "Email"}, nil)
	if got := h.Misspellings(); len(got) != 0 {
		t.Errorf("with First Name present: %v", got)
	}
	// A mapping names the column: to a field, or as one to ignore.
	h = NewHeader(1, cells, map[string]Field{"fristname": FirstName, "workemial": Ignore, "emplyeenumber": Title})
	if got := h.Misspellings(); len(got) != 0 {
		t.Errorf("with a mapping: %v", got)
	}
	if !h.Has(FirstName) || h.Has(Email) || h.Has(Ignore) {
		t.Errorf("mapped header: first_name %v, email %v, ignore %v", h.Has(FirstName), h.Has(Email), h.Has(Ignore))
	}
	if u := h.Unknown(); len(u) != 2 || u[0] != "Work Emial" || u[1] != "Status" {
		t.Errorf("an ignored column is still an unknown column, kept and reported: %v", u)
	}
}
