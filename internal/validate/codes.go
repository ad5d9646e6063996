package validate

import "sort"

// Codes documents every issue code validate and parse emit. The README's
// table is checked against it by a test.
var Codes = map[string]string{
	"file.unknown_columns":           "warning: some columns map to no field; their values are kept in the outputs but not imported",
	"file.duplicate_column":          "warning: several columns map to the same field; the first non-empty value of each row is used",
	"file.no_header":                 "warning: a list with no header row; each line is read as one email, employee ID or account id",
	"file.encoding":                  "warning: the csv is not UTF-8 and was read as Windows-1252",
	"row.ragged":                     "warning: a csv row has more or fewer cells than the header",
	"row.unreadable":                 "a csv row could not be split into cells (bad quoting)",
	"row.encoding":                   "a cell holds bytes that are not UTF-8 (the file was read as UTF-8 from its start)",
	"row.cell_too_long":              "a cell has more characters than a spreadsheet cell holds (32,767)",
	"name.missing":                   "no name, and no first or last name to build it from",
	"name.control_chars":             "the name holds a control character (line breaks and tabs are folded, see text.folded)",
	"text.folded":                    "warning: a text cell held line breaks or repeated spaces (Alt+Enter in Excel); they were folded to single spaces",
	"email.invalid":                  "the email is not of the form local@domain.tld",
	"email.duplicate":                "the email (any case) is on several rows",
	"external_id.scientific":         "the external_id is in scientific notation: Excel destroyed the digits",
	"external_id.duplicate":          "the external_id is on several rows",
	"identity.missing":               "the row has neither an email nor an external_id",
	"work_locale.invalid":            "the locale is not a real ISO 639-1 language and ISO 3166-1 country, as ll_CC",
	"work_locale.normalized":         "warning: the locale was rewritten to ll_CC (e.g. en-US to en_US)",
	"auth_method.invalid":            "the login method is neither password nor sso",
	"active.invalid":                 "not a yes/no value",
	"invited.invalid":                "not a yes/no value",
	"is_frontline.invalid":           "not a yes/no value",
	"has_access.invalid":             "not a yes/no value",
	"has_access.requires_frontline":  "has_access is true but is_frontline is not",
	"start_date.invalid":             "not a date, or an impossible one",
	"start_date.ambiguous":           "a date like 03/04/2024 that reads differently in different countries",
	"phone.invalid":                  "not + country code and 8 to 15 digits",
	"phone_type.invalid":             "the phone type is not one Workplace knows",
	"manager.self":                   "the row names itself as its manager",
	"manager.cycle":                  "the row is on a reporting cycle (A reports to B reports to A)",
	"manager.not_found":              "warning in validate, error in plan: the manager is neither in the file nor in Workplace",
	"manager.invalid_row":            "plan: the manager's own row is invalid, so the manager cannot be set",
	"text.control_chars":             "a text cell holds a control character, or an id holds a line break or tab",
	"picture_url.invalid":            "the picture URL is not an http(s) URL of a .jpg, .jpeg or .png",
	"picture_file.invalid":           "the picture file is missing, not a jpg/png, or too large",
	"new_email.invalid":              "the new email is not of the form local@domain.tld",
	"new_email.duplicate":            "the new email is already used by another row or account",
	"people_set.name_missing":        "a people set row has no set name",
	"people_set.field_invalid":       "the condition field is not one the API knows (DEPARTMENT, MANAGER, …)",
	"people_set.operator_invalid":    "the condition operator is not one the API knows (IS, IS_ANY_OF, …)",
	"people_set.values_missing":      "a condition without values, or a set without conditions",
	"people_set.date_invalid":        "a START_DATE value that is not a date",
	"people_set.duplicate_condition": "warning: the same condition twice in a set; it is used once",
	"people_set.action_invalid":      "the action column holds something other than empty or delete",
	"people_set.manager_not_found":   "plan: a MANAGER value is neither a roster row nor a Workplace account",
	"plan.note":                      "warning, plan: why a valid row needs no change",
	"plan.sync":                      "warning, plan: the account is deactivated by --sync",
	"apply.partial":                  "warning, apply: the main change was made, a phone, picture or manager step failed",
	"offboard.not_found":             "offboard: no account has this id, email or external_id",
	"offboard.duplicate":             "warning, offboard: the account is listed twice",
	"offboard.claimed":               "warning, offboard: a claimed account cannot be deleted; it is deactivated",
	"offboard.erase_later":           "warning, offboard: erasure is possible only 4 days after deactivation (the date is given)",
	"offboard.no_key":                "offboard: the row has no id, email or external_id",
	"match.conflict":                 "plan: the external_id matches one account and the email another",
	"email.differs":                  "warning, plan: the roster's email differs from the matched account's; the login email is not changed (use new_email)",
	"email.taken":                    "plan: the email of a new account belongs to an existing account with another external_id",
	"groups.invalid":                 "a group name in the groups column is longer than 256 characters",
	"groups.duplicate":               "warning: the same group twice in a groups cell; it is kept once",
	"target.not_carried":             "warning, validate --api: the roster has a column the target cannot carry; plan names it again and sends it nowhere",
	"target.required":                "plan: the target requires a field on every new account (given and family names on some SCIM services) and the row has none; a name is never split by guessing",
	"target.rule":                    "plan: a value breaks a limit the target documents (a length, a character it refuses, a field it never changes once set)",
}

// CodeList returns the codes in order.
func CodeList() []string {
	out := make([]string, 0, len(Codes))
	for c := range Codes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
