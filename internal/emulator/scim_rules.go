package emulator

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a profile requires of a User beyond RFC 7643 (SCIM-DIALECTS.md
// §15.5): required attributes, one value per multi-valued attribute,
// refused characters, and the userName and email rules of each service.

// checkUser holds a POST or PUT body to the profile's rules.
func (s *Server) checkUser(res map[string]any, create bool) *serr {
	r := s.prof.user
	for _, name := range r.required {
		if !present(attrAt(res, name)) {
			return badRequest("invalidValue", "%s is required by this service", name)
		}
	}
	if create {
		for _, name := range r.refused {
			if getFold(res, name) != nil {
				return badRequest("invalidValue", "%s is not supported by this service on a create: leave it out", name)
			}
		}
	}
	if r.primaryEmail {
		if emails, _ := multi(res, "emails"); len(emails) > 0 {
			if p, _ := getFold(emails[0], "primary").(bool); !p {
				return badRequest("invalidValue", "The email %v must be marked primary (\"primary\": true)", emails[0]["value"])
			}
		}
	}
	if err := r.checkChars("", res); err != nil {
		return err
	}
	return s.checkSingleValued(res)
}

// checkSingleValued refuses a resource with more than one value in an
// attribute the service takes one of (AWS §1), or an entitlement the
// service has no profile for (Salesforce §7).
func (s *Server) checkSingleValued(res map[string]any) *serr {
	r := s.prof.user
	for _, name := range r.singleValued {
		if n := len(asList(getFold(res, name))); n > 1 {
			return badRequest("invalidValue", "%s has %d values: this service takes one value only", name, n)
		}
	}
	if e := entitlementOf(res); e != "" && len(r.entitlements) > 0 && s.entitlementName(e) == "" {
		return badRequest("invalidValue", "No profile %s: GET %s/Entitlements lists the profiles a user may have", e, s.base())
	}
	return nil
}

// entitlementOf is the value of a resource's first entitlement.
func entitlementOf(res map[string]any) string {
	for _, el := range asList(getFold(res, "entitlements")) {
		if m, ok := el.(map[string]any); ok {
			if v, ok := getFold(m, "value").(string); ok {
				return v
			}
		}
	}
	return ""
}

// attrAt reads a dotted path: "name.givenName".
func attrAt(res map[string]any, path string) any {
	var v any = res
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = getFold(m, part)
	}
	return v
}

// checkChars refuses a string value holding a character the service
// refuses (AWS §1). Keys that hold URLs or schema names are not values.
func (r userRule) checkChars(key string, v any) *serr {
	if r.badChars == "" {
		return nil
	}
	switch t := v.(type) {
	case string:
		if i := strings.IndexAny(t, r.badChars); i >= 0 {
			ch, _ := utf8.DecodeRuneInString(t[i:])
			return badRequest("invalidValue", "%s holds %q, a character this service refuses (it refuses tab, new lines and \" < > | ; : %%)", cmpKey(key), string(ch))
		}
	case []any:
		for _, el := range t {
			if err := r.checkChars(key, el); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, el := range t {
			switch strings.ToLower(k) {
			case "schemas", "meta", "$ref", "profileurl":
				continue
			}
			if strings.HasPrefix(strings.ToLower(k), "urn:") {
				k = ""
			}
			if err := r.checkChars(strings.Trim(key+"."+k, "."), el); err != nil {
				return err
			}
		}
	}
	return nil
}

func cmpKey(k string) string {
	if k == "" {
		return "A value"
	}
	return k
}

// userName applies the profile's userName rules to raw and answers the
// userName to store: Slack's length and immutability (§2), Zoom's email
// (§5), GitHub's handle (§3), Salesforce's lower case (§7).
func (in userInput) userName(raw string) (string, *serr) {
	r := in.prof.user
	same := in.self != nil && raw == UserNameOf(in.self)
	if r.userNameFixed && in.self != nil && !same {
		return "", badRequest("mutability", "userName cannot be changed once the user exists (it is %q)", UserNameOf(in.self))
	}
	if n := utf8.RuneCountInString(raw); r.userNameMax > 0 && n > r.userNameMax {
		return "", badRequest("invalidValue", "userName %q has %d characters: this service takes at most %d", raw, n, r.userNameMax)
	}
	if r.userNameEmail && !looksLikeEmail(raw) {
		return "", badRequest("invalidValue", "userName %q must be the user's email address", raw)
	}
	if r.handle != "" && !same {
		h := handleOf(raw, r.handle)
		if h == "_"+r.handle {
			return "", badRequest("invalidValue", "userName %q has no letters or digits to make a handle of", raw)
		}
		if len(h) > r.handleMax {
			return "", badRequest("invalidValue", "userName %q makes the handle %q, longer than %d characters", raw, h, r.handleMax)
		}
		if o := in.store.byUser[strings.ToLower(h)]; o != nil && o != in.self {
			return "", scimErr(http.StatusConflict, "uniqueness", "userName %q makes the handle %q, which user %s already has", raw, h, o.ID)
		}
		raw = h
	}
	if r.lowerUserName {
		raw = strings.ToLower(raw)
	}
	return raw, nil
}

// handleOf is GitHub's handle for a userName (§3): the part before @ of
// an email, runs of other characters than letters and digits as one -,
// none at either end, then _shortcode.
func handleOf(userName, shortcode string) string {
	if i := strings.IndexByte(userName, '@'); i >= 0 {
		userName = userName[:i]
	}
	var b strings.Builder
	dash := false
	for _, r := range userName {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String() + "_" + shortcode
}

func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " \t")
}

// email applies the profile's email rules: a verified domain (Atlassian
// §4), an email at all (Meta §12, with the email-less setting off).
func (in userInput) email(email string) *serr {
	if email == "" {
		if in.emailRequired {
			return badRequest("invalidValue", "Missing Email field: give the user an email, or turn on email-less accounts for the organization")
		}
		return nil
	}
	domains := in.domains
	if len(domains) == 0 {
		domains = in.prof.user.domains
	}
	if len(domains) == 0 {
		return nil
	}
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	if !has(domains, domain) {
		return badRequest("invalidValue", "The domain of %s is not verified in this organization (verified: %s): verify it first, or use an address on a verified domain",
			email, strings.Join(domains, ", "))
	}
	return nil
}
