package scim

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// A dialect is what /work/shared/SCIM-DIALECTS.md documents of one SCIM
// service (§n below is its section): the capabilities and rules the
// service has whatever its discovery says. Discovery, where the service
// has it, may narrow a dialect, never widen it; the rfc dialect (any other
// service) documents nothing and takes its capabilities from discovery
// and from the answers it gives (probes).
type dialect struct {
	name    string
	service string // for people
	section string // of SCIM-DIALECTS.md
	known   bool   // a service of SCIM-DIALECTS.md; false: rfc, probed

	spc string // where discovery is asked first ("ServiceProviderConfigs" for Salesforce)
	// filterUnderReported: discovery says filter.supported false though
	// filters work (Slack §2): discovery's filter flag is not read.
	filterUnderReported bool

	// Users.
	core          []roster.Field // core fields carried; nil: every one wpimport writes
	exts          []string       // User extensions written; nil: those discovery lists
	listOmits     []roster.Field // fields a listing or filter leaves out: never compared
	ownExternalID bool           // externalId is the service's own id, not ours (Zoom §5)
	required      []roster.Field
	rules         []target.FieldRule
	defaults      map[roster.Field]string
	maxPhones     int
	entitlement   string // the profile (entitlement) new users get, by display name (Salesforce §7)

	// The wire.
	patchActiveOnly bool          // PATCH changes only active: other changes by GET, change, PUT (Zoom §5)
	managerForms    []managerForm // the first is sent; the next tried when a value is not kept
	noValueFilter   bool          // no value-filter paths: group members removed by value list (GitHub §3)
	batch           int           // most keys a look-up: 1 where no `or` is documented; 0 as discovery says
	emailFilter     string        // the attribute email keys are filtered on; "" userName
	lookupBy        []target.KeyKind
	paging          target.Paging // "" as discovery says (index unless it announces cursors)
	etags, bulk     bool          // versions and Bulk, where discovery also says so
	groups          groupsRule
	membersHidden   bool // a group is answered without its members (AWS §1)

	// The service's own rules.
	delete     target.Deletion
	readsClaim bool
	clearsMgr  bool // reactivation clears the manager
	invites    bool
	budget     target.Budget
	same       func(f roster.Field, want, have string) bool
}

// groupsRule says whether a service has /Groups.
type groupsRule int

const (
	groupsAsFound groupsRule = iota // as /ResourceTypes lists, else a one-item GET /Groups says
	groupsYes                       // documented (discovery may still narrow)
	groupsNo                        // documented none
)

// Fields wpimport writes to a User's core schema.
var (
	coreAll = []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.NewEmail, roster.UserName,
		roster.ExternalID, roster.Title, roster.WorkLocale, roster.Active, roster.Phone, roster.WorkPhone, roster.MobilePhone,
		roster.PhoneType, roster.PictureURL}
	allKeys = []target.KeyKind{target.ByID, target.ByEmail, target.ByUserName, target.ByExternalID}
)

func without(list []roster.Field, drop ...roster.Field) []roster.Field {
	var out []roster.Field
	for _, f := range list {
		keep := true
		for _, d := range drop {
			keep = keep && f != d
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}

// awsChars are the characters AWS refuses in a value (§1).
const awsChars = "\t\n\r\"<>|;:%"

func awsRules() []target.FieldRule {
	var out []target.FieldRule
	for _, f := range []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.UserName, roster.ExternalID,
		roster.Title, roster.Department, roster.Division, roster.Organization, roster.CostCenter} {
		out = append(out, target.FieldRule{Field: f, Forbidden: awsChars,
			Why: `AWS IAM Identity Center refuses tab, new lines and " < > | ; : % in a value (SCIM-DIALECTS.md §1)`})
	}
	return out
}

// dialects are the services of SCIM-DIALECTS.md, and rfc.
var dialects = []*dialect{
	{name: "rfc", service: "", section: "RFC 7643, RFC 7644", spc: "ServiceProviderConfig",
		managerForms: []managerForm{mgrObject, mgrValuePath}, lookupBy: allKeys, etags: true, bulk: true,
		delete: target.DeleteRemoves},
	{name: "aws", service: "AWS IAM Identity Center", section: "§1", known: true, spc: "ServiceProviderConfig",
		core: without(coreAll, roster.PictureURL), exts: []string{Enterprise},
		required: []roster.Field{roster.FirstName, roster.LastName, roster.Name}, rules: awsRules(), maxPhones: 1,
		managerForms: []managerForm{mgrObject, mgrValuePath}, batch: 1, lookupBy: allKeys, paging: target.PageCursor,
		groups: groupsYes, membersHidden: true, delete: target.DeleteDestroys},
	{name: "github", service: "GitHub Enterprise Managed Users", section: "§3", known: true, spc: "ServiceProviderConfig",
		core: []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.NewEmail, roster.UserName,
			roster.ExternalID, roster.Active}, exts: []string{},
		rules: []target.FieldRule{{Field: roster.UserName, MaxLen: 39,
			Why: "GitHub makes userName a handle (letters and digits, the part before @, its _SHORTCODE appended) of at most 39 characters (SCIM-DIALECTS.md §3)"}},
		noValueFilter: true, batch: 1, lookupBy: []target.KeyKind{target.ByID, target.ByExternalID}, paging: target.PageIndex,
		groups: groupsYes, delete: target.DeleteDestroys,
		budget: target.Budget{N: 1000, Per: time.Hour, Of: "users provisioned"}, same: githubSame},
	{name: "slack", service: "Slack", section: "§2", known: true, spc: "ServiceProviderConfig", filterUnderReported: true,
		core: coreAll, exts: []string{Enterprise}, required: []roster.Field{roster.UserName},
		rules: []target.FieldRule{
			{Field: roster.UserName, MaxLen: 20, Immutable: true,
				Why: "Slack takes a userName of at most 20 characters, and never changes it once the user exists (SCIM-DIALECTS.md §2)"},
			{Field: roster.Name, Forbidden: "@", Why: "Slack refuses @ in a display name (SCIM-DIALECTS.md §2)"}},
		// §2: filters match only on userName and email: external ids are
		// matched from a listing.
		managerForms: []managerForm{mgrManagerID}, batch: 1, emailFilter: "emails",
		lookupBy: []target.KeyKind{target.ByID, target.ByEmail, target.ByUserName}, paging: target.PageIndex,
		groups: groupsYes, delete: target.DeleteDeactivates,
		budget: target.Budget{N: 180, Per: time.Minute, Of: "user writes (for the whole organization)"}},
	{name: "atlassian", service: "Atlassian Cloud", section: "§4", known: true, spc: "ServiceProviderConfig",
		core: coreAll, exts: []string{Enterprise},
		rules: []target.FieldRule{{Field: roster.Email, Immutable: true,
			Why: "Atlassian changes a managed account's email only by an admin call outside SCIM and a full re-provisioning (SCIM-DIALECTS.md §4)"}},
		managerForms: []managerForm{mgrObject, mgrValuePath}, batch: 1, lookupBy: allKeys, paging: target.PageIndex,
		groups: groupsYes, delete: target.DeleteDestroys},
	{name: "zoom", service: "Zoom", section: "§5", known: true, spc: "ServiceProviderConfig",
		core: without(coreAll, roster.UserName, roster.ExternalID), exts: []string{Enterprise},
		listOmits: []roster.Field{roster.Manager, roster.Organization, roster.CostCenter}, ownExternalID: true,
		required: []roster.Field{roster.Email}, patchActiveOnly: true, managerForms: []managerForm{mgrObject},
		batch: 1, lookupBy: []target.KeyKind{target.ByID, target.ByEmail}, paging: target.PageIndex,
		groups: groupsYes, delete: target.DeleteRemoves},
	{name: "salesforce", service: "Salesforce", section: "§7", known: true, spc: "ServiceProviderConfigs",
		core: coreAll, exts: []string{Enterprise}, required: []roster.Field{roster.LastName, roster.Email},
		entitlement: "Standard User", managerForms: []managerForm{mgrObject, mgrValuePath}, lookupBy: allKeys,
		paging: target.PageIndex, delete: target.DeleteNone},
	{name: "meta", service: "Meta's work accounts (Workplace)", section: "§12", known: true, spc: "ServiceProviderConfig",
		core: coreAll, exts: []string{Enterprise, AuthMethod, Status, Dates},
		defaults:     map[roster.Field]string{roster.WorkLocale: "en_US"},
		managerForms: []managerForm{mgrManagerID, mgrObject}, batch: 1, lookupBy: allKeys, paging: target.PageIndex,
		groups: groupsNo, delete: target.DeleteUnclaimed, readsClaim: true, clearsMgr: true, invites: true},
}

// DialectNames lists the dialects --scim-dialect takes.
func DialectNames() []string {
	out := make([]string, len(dialects))
	for i, d := range dialects {
		out[i] = d.name
	}
	return out
}

var awsHost = regexp.MustCompile(`^scim\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// byHost is the dialect of the service at u, from its host (and GitHub's
// enterprise path), or nil.
func byHost(u *url.URL) *dialect {
	host := strings.ToLower(u.Hostname())
	name := ""
	switch {
	case awsHost.MatchString(host):
		name = "aws"
	case host == "api.slack.com":
		name = "slack"
	case host == "api.github.com" || strings.Contains(u.Path, "/scim/v2/enterprises/"):
		name = "github"
	case host == "scim.workplace.com":
		name = "meta"
	case host == "api.atlassian.com":
		name = "atlassian"
	case host == "api.zoom.us":
		name = "zoom"
	case strings.HasSuffix(host, ".my.salesforce.com"):
		name = "salesforce"
	}
	if name == "" {
		return nil
	}
	d, _ := dialectNamed(name)
	return d
}

func dialectNamed(name string) (*dialect, error) {
	for _, d := range dialects {
		if strings.EqualFold(d.name, strings.TrimSpace(name)) {
			return d, nil
		}
	}
	return nil, fmt.Errorf("SCIM dialect %q is not known: use one of %s (or leave --scim-dialect out to choose by the URL's host)",
		name, strings.Join(DialectNames(), ", "))
}

// chooseDialect is the dialect of cfg: its Dialect by name, else the one
// of the URL's host, else rfc; from says why, for wpimport check.
func chooseDialect(name string, u *url.URL) (d *dialect, from string, err error) {
	if strings.TrimSpace(name) != "" {
		d, err := dialectNamed(name)
		if err != nil {
			return nil, "", err
		}
		return d, "--scim-dialect " + d.name, nil
	}
	if d := byHost(u); d != nil {
		return d, "the URL's host " + u.Hostname(), nil
	}
	d, _ = dialectNamed("rfc")
	return d, "no known service at " + u.Hostname() + ": RFC 7644 as discovery and the answers show", nil
}

// origin names the dialect as a capability's origin.
func (d *dialect) origin() string {
	if !d.known {
		return "RFC 7644"
	}
	return "dialect " + d.name + " (SCIM-DIALECTS.md " + d.section + ")"
}

// githubSame: GitHub keeps a userName as a handle (§3), so a roster's
// userName and the handle made of it are the same.
func githubSame(f roster.Field, want, have string) bool {
	if f != roster.UserName || want == "" {
		return false
	}
	h := strings.ToLower(handleBase(want))
	have = strings.ToLower(have)
	return h != "" && strings.HasPrefix(have, h+"_") && !strings.Contains(have[len(h)+1:], "-")
}

// handleBase is the handle GitHub makes of a userName, without its
// _SHORTCODE: the part before @, each run of characters other than ASCII
// letters and digits one -, none at either end.
func handleBase(userName string) string {
	if i := strings.IndexByte(userName, '@'); i >= 0 {
		userName = userName[:i]
	}
	var b strings.Builder
	dash := false
	for _, r := range userName {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
