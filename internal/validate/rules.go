package validate

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/wpimport/wpimport/internal/picture"
	"github.com/wpimport/wpimport/internal/roster"
)

// problem is what a rule found wrong with one value.
type problem struct {
	code     string
	severity roster.Severity
	msg      string
}

func bad(code, format string, args ...any) *problem {
	return &problem{code: code, severity: roster.Error, msg: fmt.Sprintf(format, args...)}
}

func warn(code, format string, args ...any) *problem {
	return &problem{code: code, severity: roster.Warning, msg: fmt.Sprintf(format, args...)}
}

// rule checks a non-empty, trimmed value and returns its normal form.
type rule func(v string) (string, *problem)

var rules = map[roster.Field]rule{
	roster.Email:       emailRule("email"),
	roster.NewEmail:    emailRule("new_email"),
	roster.ExternalID:  externalID,
	roster.WorkLocale:  Locale,
	roster.AuthMethod:  authMethod,
	roster.Active:      boolRule("active"),
	roster.Invited:     boolRule("invited"),
	roster.IsFrontline: boolRule("is_frontline"),
	roster.HasAccess:   boolRule("has_access"),
	roster.StartDate:   Date,
	roster.Phone:       phoneRule("phone"),
	roster.MobilePhone: phoneRule("phone"),
	roster.WorkPhone:   phoneRule("phone"),
	roster.PhoneType:   phoneType,
	roster.PictureURL:  pictureURL,
	roster.Groups:      groupsRule,
}

// MaxGroupName is the longest group name wpimport accepts (SCIM sets no
// limit; services commonly cap displayName at 256).
const MaxGroupName = 256

// groupsRule reads "A; B; C": each name trimmed, empty ones dropped, a name
// given twice (in any case) kept once.
func groupsRule(v string) (string, *problem) {
	names := GroupNames(v)
	seen := map[string]bool{}
	var out []string
	var dup string
	for _, n := range names {
		if len([]rune(n)) > MaxGroupName {
			return v, bad("groups.invalid", "the group name %q… is longer than %d characters; shorten it", string([]rune(n)[:20]), MaxGroupName)
		}
		k := strings.ToLower(n)
		if seen[k] {
			dup = n
			continue
		}
		seen[k] = true
		out = append(out, n)
	}
	norm := strings.Join(out, "; ")
	if dup != "" {
		return norm, warn("groups.duplicate", "the group %q is named twice; it is kept once", dup)
	}
	return norm, nil
}

// GroupNames splits a groups cell at ";" into trimmed, non-empty names.
func GroupNames(v string) []string {
	var out []string
	for _, n := range strings.Split(v, ";") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func hasControl(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

func emailRule(field string) rule {
	return func(v string) (string, *problem) {
		if msg := EmailProblem(v); msg != "" {
			return v, bad(field+".invalid", "%q is not a valid email: %s; correct it or leave the cell empty", v, msg)
		}
		return v, nil
	}
}

// EmailProblem says what is wrong with an email, or "" if nothing is.
func EmailProblem(v string) string {
	at := strings.IndexByte(v, '@')
	switch {
	case at < 0:
		return "it has no @"
	case strings.Count(v, "@") > 1:
		return "it has more than one @"
	case at == 0:
		return "nothing stands before the @"
	case strings.ContainsAny(v, " \t\r\n<>,;\"()[]\\"):
		return "it holds a space or a character not allowed in an address"
	case hasControl(v):
		return "it holds a control character"
	}
	domain := v[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "the part after the @ is not a domain like example.com"
	}
	return ""
}

func externalID(v string) (string, *problem) {
	if isScientific(v) {
		return v, bad("external_id.scientific", "%q is a number in scientific notation: Excel rounded the id and its real digits are lost; "+
			"format the column as Text in Excel and re-enter the ids (or export them from HR as text)", v)
	}
	if hasControl(v) {
		return v, bad("text.control_chars", "the external_id holds a tab, line break or control character; remove it")
	}
	return v, nil
}

// isScientific matches 1.23E+18, 1E5, 4.5e-3.
func isScientific(v string) bool {
	e := strings.IndexAny(v, "eE")
	if e <= 0 || e == len(v)-1 {
		return false
	}
	mant, exp := v[:e], v[e+1:]
	if exp[0] == '+' || exp[0] == '-' {
		exp = exp[1:]
	}
	return exp != "" && allDigits(exp) && mant != "" && allDigits(strings.Replace(mant, ".", "", 1))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var localeCache sync.Map // string → localeResult

type localeResult struct {
	norm string
	p    *problem
}

// Locale checks a work locale: ISO 639-1 language and ISO 3166-1 alpha-2
// country joined by "_". Other separators and cases are normalized with a
// warning.
func Locale(v string) (string, *problem) {
	if r, ok := localeCache.Load(v); ok {
		res := r.(localeResult)
		return res.norm, res.p
	}
	norm, p := locale(v)
	localeCache.Store(v, localeResult{norm, p})
	return norm, p
}

func locale(v string) (string, *problem) {
	fix := func(why string) *problem {
		return bad("work_locale.invalid", "%q is not a locale Workplace accepts (%s); write it as language_COUNTRY, e.g. en_US, fr_FR, pt_BR", v, why)
	}
	sep := strings.IndexAny(v, "_-")
	if sep < 0 {
		return v, fix("it needs a language and a country")
	}
	l, c := v[:sep], v[sep+1:]
	if len(l) != 2 || len(c) != 2 {
		return v, fix("the language and the country must be two letters each")
	}
	base, err := language.ParseBase(strings.ToLower(l))
	if err != nil || len(base.String()) != 2 {
		return v, fix(fmt.Sprintf("%q is not an ISO 639-1 language", l))
	}
	region, err := language.ParseRegion(strings.ToUpper(c))
	if err != nil || !region.IsCountry() || region.String() == "UN" {
		return v, fix(fmt.Sprintf("%q is not an ISO 3166-1 country", c))
	}
	norm := base.String() + "_" + region.String()
	if norm != v {
		return norm, warn("work_locale.normalized", "%q was read as %s; write it that way to silence this warning", v, norm)
	}
	return norm, nil
}

func authMethod(v string) (string, *problem) {
	switch l := strings.ToLower(v); l {
	case "password", "sso":
		return l, nil
	}
	return v, bad("auth_method.invalid", "%q is not a login method; write password or sso", v)
}

func boolRule(field string) rule {
	return func(v string) (string, *problem) {
		if b, ok := ParseBool(v); ok {
			if b {
				return "true", nil
			}
			return "false", nil
		}
		return v, bad(field+".invalid", "%q is not a yes/no value; write true or false (yes/no, y/n and 1/0 also work)", v)
	}
}

// ParseBool reads true/false, yes/no, y/n and 1/0 in any case.
func ParseBool(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "true", "yes", "y", "1":
		return true, true
	case "false", "no", "n", "0":
		return false, true
	}
	return false, false
}

// Date reads YYYY-MM-DD or an ISO date-time and returns YYYY-MM-DD.
func Date(v string) (string, *problem) {
	if len(v) >= 10 && v[4] == '-' && v[7] == '-' {
		d := v[:10]
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return v, bad("start_date.invalid", "%q is not a real date (%s); write the date as YYYY-MM-DD", v, dateWhy(err))
		}
		rest := v[10:]
		if rest == "" {
			return d, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
			if _, err := time.Parse(layout, v); err == nil {
				return d, nil
			}
		}
	}
	if looksLikeSlashDate(v) {
		return v, bad("start_date.ambiguous", "%q could be read as day/month or month/day; write the date as YYYY-MM-DD", v)
	}
	return v, bad("start_date.invalid", "%q is not a date; write the date as YYYY-MM-DD", v)
}

func dateWhy(err error) string {
	if strings.Contains(err.Error(), "out of range") {
		return "that day does not exist"
	}
	return "not YYYY-MM-DD"
}

func looksLikeSlashDate(v string) bool {
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if !allDigits(p) {
			return false
		}
	}
	return len(parts[0]) <= 2 && len(parts[1]) <= 2
}

func phoneRule(field string) rule {
	return func(v string) (string, *problem) {
		norm, msg := Phone(v)
		if msg != "" {
			return v, bad(field+".invalid", "%q is not a phone number Workplace accepts: %s", v, msg)
		}
		return norm, nil
	}
}

// Phone checks an international number and returns it as + and digits, or
// says what is wrong.
func Phone(v string) (string, string) {
	if !strings.HasPrefix(v, "+") {
		if allDigits(v) {
			return v, "it has no + and country code; if Excel stored it as a number the + was lost: format the column as Text and write it like +44 7236 123459"
		}
		return v, "write it with + and the country code, like +44 7236 123459"
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range v[1:] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return v, fmt.Sprintf("%q is not allowed in a phone number; use digits, spaces, dots, dashes and parentheses", r)
		}
	}
	if n := b.Len() - 1; n < 8 || n > 15 {
		return v, fmt.Sprintf("it has %d digits; an international number has 8 to 15 after the +", n)
	}
	return b.String(), ""
}

var phoneTypes = map[string]bool{"work": true, "mobile": true, "home": true, "other": true}

func phoneType(v string) (string, *problem) {
	if l := strings.ToLower(v); phoneTypes[l] {
		return l, nil
	}
	return v, bad("phone_type.invalid", "%q is not a phone type; write work, mobile, home or other", v)
}

func pictureURL(v string) (string, *problem) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return v, bad("picture_url.invalid", "%q is not an http(s) URL; give the full address of a .jpg or .png image", v)
	}
	switch strings.ToLower(filepath.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png":
		return v, nil
	}
	return v, bad("picture_url.invalid", "%q does not end in .jpg, .jpeg or .png; Workplace takes only jpg and png pictures", v)
}

// pictureFile checks the picture a picture_file cell names (inside the
// roster's folder, a regular file, jpg or png by content, not too large).
// It reads the file, so it is not in rules: validate runs it once per row,
// Desired never.
func pictureFile(rosterPath, v string) (string, *problem) {
	if _, err := picture.Read(filepath.Dir(rosterPath), v); err != nil {
		return v, bad("picture_file.invalid", "%v", err)
	}
	return v, nil
}

// CheckValue applies f's rule to a value as a plan file holds it, and says
// what is wrong with it ("" if nothing). apply runs it over every op, so an
// edited plan passes the same rules as a roster.
func CheckValue(f roster.Field, v string) string {
	switch f {
	case roster.Name:
		if strings.TrimSpace(v) == "" {
			return "a name can never be empty"
		}
	case roster.Manager:
		return ""
	}
	if hasControl(v) {
		return "it holds control characters"
	}
	if rule := rules[f]; rule != nil && v != "" {
		if _, p := rule(v); p != nil && p.severity == roster.Error {
			return p.msg
		}
	}
	return ""
}
