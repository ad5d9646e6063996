package roster

import "testing"

// The headers admins actually have (API-NOTES.md) map to fields.
func TestKnownHeaders(t *testing.T) {
	tests := map[string][]string{
		"Admin Panel template": {"Email", "Employee ID", "First name", "Last name", "Job Title", "Department", "Division",
			"Organization", "Phone Number", "Location", "Locale", "Manager Email", "Manager Employee ID", "Login Method", "Start Date"},
		"Admin Panel export": {"User Id", "User ID", "Full Name", "Email", "Employee ID", "Job Title", "Department", "Division",
			"Manager Employee ID", "Invited"},
		"SCIM sample": {"email", "first name", "last name", "job title", "department", "phone number", "location", "locale",
			"manager email", "external id", "organization", "division", "cost center", "start date"},
		"canonical": {"name", "email", "external_id", "title", "department", "organization", "division", "cost_center", "manager",
			"work_locale", "auth_method", "active", "invited", "is_frontline", "has_access", "start_date", "phone", "location"},
	}
	for source, headers := range tests {
		for _, h := range headers {
			if _, ok := Lookup(h); !ok {
				t.Errorf("%s header %q maps to no field", source, h)
			}
		}
	}
	for h, want := range map[string]Field{"  EMPLOYEE_id ": ExternalID, "Login-Method": AuthMethod, "\ufeffEmail": Email, "Cost Centre": CostCenter} {
		if got, _ := Lookup(h); got != want {
			t.Errorf("Lookup(%q) = %q, want %q", h, got, want)
		}
	}
	for _, h := range []string{"Status", "Claimed", "timezone", "Badge Colour"} {
		if f, ok := Lookup(h); ok {
			t.Errorf("%q maps to %q; it should be an unknown column", h, f)
		}
	}
}
