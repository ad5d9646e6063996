package scim

import (
	"context"
	"slices"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// lookupBatch is how many keys one filtered look-up carries, `or`-joined,
// where the service filters and returns at least that many results.
const lookupBatch = 50

// MaxMembersPerRequest is the most member changes one group PATCH
// carries: the limit services commonly set (AWS, Entra, Okta).
const MaxMembersPerRequest = 100

// Origins of capabilities, for wpimport check.
const (
	fromDiscovery = "discovery"
	fromDefault   = "default: the service has no discovery"
	fromRFC       = "RFC 7644"
)

// wire is how the client writes to this service: what its dialect and
// its discovery allow, decided with the capabilities.
type wire struct {
	exts          []string      // User extensions written
	patch         bool          // PATCH changes attributes (else GET, change, PUT)
	etag          bool          // If-Match is sent
	managerForms  []managerForm // the first sent, the next tried when not kept
	valueFilter   bool          // group members removed by value-filter path (else by value list)
	maxPhones     int
	emailFilter   string // attribute email keys are filtered on
	ownExternalID bool
	membersHidden bool
	entitlement   string
	search        bool // listings go by POST …/.search (a probe found startIndex ignored in the query)
}

// knows reports whether the service takes the User extension urn.
func (w *wire) knows(urn string) bool {
	return slices.ContainsFunc(w.exts, func(e string) bool { return strings.EqualFold(e, urn) })
}

// Capabilities says what the service can do: its dialect's documented
// capabilities, narrowed by its discovery (asked once; see Discover), and
// by what its answers showed since (probes). Each has its origin.
func (c *Client) Capabilities(ctx context.Context) (*target.Capabilities, error) {
	if _, err := c.Discover(ctx); err != nil {
		return nil, err
	}
	c.discMu.Lock()
	defer c.discMu.Unlock()
	return c.caps, nil
}

// state is the capabilities and the wire, once discovered.
func (c *Client) state(ctx context.Context) (*target.Capabilities, *wire, error) {
	if _, err := c.Discover(ctx); err != nil {
		return nil, nil, err
	}
	c.discMu.Lock()
	defer c.discMu.Unlock()
	return c.caps, c.wire, nil
}

// narrow records a probe: the capabilities become a copy with change
// made (callers holding the old ones keep them), change's capability
// origin what the answer showed.
func (c *Client) narrow(name, why string, change func(*target.Capabilities, *wire)) {
	c.discMu.Lock()
	defer c.discMu.Unlock()
	if c.caps == nil {
		return
	}
	cp := *c.caps
	cp.Origins = make(map[string]string, len(c.caps.Origins))
	for k, v := range c.caps.Origins {
		cp.Origins[k] = v
	}
	w := *c.wire
	change(&cp, &w)
	cp.SetOrigin(name, "probe: "+why)
	c.caps, c.wire = &cp, &w
}

// capabilitiesOf makes the capabilities of a service of dialect dl from
// what discovery says: discovery narrows the dialect, never widens it.
func capabilitiesOf(dl *dialect, d *Discovery, host string) (*target.Capabilities, *wire) {
	w := &wire{managerForms: dl.managerForms, valueFilter: !dl.noValueFilter, maxPhones: dl.maxPhones,
		emailFilter: dl.emailFilter, ownExternalID: dl.ownExternalID, membersHidden: dl.membersHidden, entitlement: dl.entitlement}
	if w.emailFilter == "" {
		w.emailFilter = "userName"
	}
	caps := &target.Capabilities{Target: Name, Service: dl.service + " (SCIM, dialect " + dl.name + ")", Dialect: dl.name}
	if !dl.known {
		caps.Service = "the SCIM service at " + host
	}
	from := dl.origin()
	spc, types := fromDefault, fromDefault
	if d.Discovered {
		spc = fromDiscovery
	}
	if d.TypesListed {
		types = fromDiscovery
	}
	if dl.known {
		spc, types = within(from, d.Discovered), within(from, d.TypesListed)
	}

	// The User extensions: the dialect's, those discovery lists among them.
	switch {
	case dl.exts != nil && d.TypesListed:
		for _, e := range dl.exts {
			if d.Knows(e) {
				w.exts = append(w.exts, e)
			}
		}
	case dl.exts != nil:
		w.exts = dl.exts
	case d.TypesListed:
		w.exts = d.Extensions
	default:
		w.exts = []string{Enterprise} // RFC 7643 §4.3, the one extension every RFC service may know
	}
	caps.Carries, caps.Reads = fieldsOf(dl, w)
	caps.SetOrigin("fields", types)

	w.patch = !dl.patchActiveOnly && (!d.Discovered || d.Patch)
	caps.SetOrigin("patch", spc)
	if dl.patchActiveOnly {
		caps.SetOrigin("patch", from+": PATCH only for active; other changes by GET and PUT")
	}
	w.etag = dl.etags && d.ETag
	caps.Versions = w.etag
	caps.Bulk = dl.bulk && d.Bulk
	if caps.Bulk {
		caps.BulkMax = bulkMaxOps(d)
	}
	caps.SetOrigin("versions", spc)
	caps.SetOrigin("bulk", spc)

	// Look-ups: one key a request unless both the dialect and discovery
	// allow batches.
	batch := 1
	if d.Discovered && (d.Filter || dl.filterUnderReported) && d.FilterMax >= lookupBatch {
		batch = lookupBatch
	}
	if dl.batch > 0 {
		batch = min(batch, dl.batch)
	}
	caps.LookupBy, caps.LookupBatch = slices.Clone(dl.lookupBy), batch
	caps.SetOrigin("lookup", spc)
	if dl.batch > 0 {
		caps.SetOrigin("lookup", from)
	}

	caps.Paging, caps.Complete = target.PageIndex, true
	caps.SetOrigin("paging", fromRFC)
	switch {
	case dl.paging != "":
		caps.Paging = dl.paging
		caps.SetOrigin("paging", from)
	case d.Cursor:
		caps.Paging = target.PageCursor
		caps.SetOrigin("paging", "discovery (RFC 9865 pagination)")
	}

	caps.Groups = groupsOf(dl, d)
	caps.GroupChunk = MaxMembersPerRequest
	caps.GroupMembersRead = caps.Groups && !dl.membersHidden
	if caps.Groups {
		caps.Carries[roster.Groups] = true
	}
	caps.SetOrigin("groups", types)
	if dl.groups != groupsAsFound {
		caps.SetOrigin("groups", within(from, d.TypesListed))
	} else if !d.TypesListed {
		caps.SetOrigin("groups", "probe: GET /Groups?count=1 (no /ResourceTypes)")
	}

	caps.Required, caps.Rules, caps.Defaults, caps.MaxPhones = dl.required, dl.rules, dl.defaults, dl.maxPhones
	caps.Delete, caps.ReadsClaim = dl.delete, dl.readsClaim || (!dl.known && w.knows(Status))
	caps.ReactivationClearsManager, caps.InvitesOnCreate, caps.WriteBudget = dl.clearsMgr, dl.invites, dl.budget
	caps.PictureURL, caps.PhonesRemovable = caps.Carries[roster.PictureURL], true
	caps.Same = sameFor(dl)
	for _, k := range []string{"rules", "delete", "reactivation", "invitations", "phones", "write budget", "pictures", "defaults"} {
		caps.SetOrigin(k, from)
	}
	caps.SetOrigin("same", from+"; emails and userNames ignoring case (RFC 7643 §4.1)")
	return caps, w
}

// within is a known dialect's origin, said to be narrowed by discovery
// where the service answered it.
func within(from string, discovered bool) string {
	if discovered {
		return from + ", narrowed by discovery"
	}
	return from
}

// groupsOf says whether the service has /Groups.
func groupsOf(dl *dialect, d *Discovery) bool {
	switch dl.groups {
	case groupsNo:
		return false
	case groupsYes:
		return !d.TypesListed || d.Groups
	}
	return d.Groups
}

// fieldsOf are the roster fields the service carries and reads.
func fieldsOf(dl *dialect, w *wire) (carries, reads map[roster.Field]bool) {
	core := dl.core
	if core == nil {
		core = coreAll
	}
	carries = target.FieldSet(core...)
	for ext, fs := range map[string][]roster.Field{
		Enterprise: {roster.Department, roster.Division, roster.Organization, roster.CostCenter, roster.Manager},
		AuthMethod: {roster.AuthMethod}, Status: {roster.Invited}, Dates: {roster.StartDate},
	} {
		if w.knows(ext) {
			for _, f := range fs {
				carries[f] = true
			}
		}
	}
	reads = map[roster.Field]bool{}
	for f := range carries {
		switch f {
		case roster.PictureURL, roster.NewEmail, roster.WorkPhone, roster.MobilePhone, roster.PhoneType:
			continue // set, never read back as such
		}
		if !slices.Contains(dl.listOmits, f) {
			reads[f] = true
		}
	}
	return carries, reads
}

// sameFor tells values the service holds as the roster's: emails and
// userNames ignoring case (RFC 7643: userName is not case-exact; Salesforce
// answers it in lower case), and the dialect's own rewriting.
func sameFor(dl *dialect) func(f roster.Field, want, have string) bool {
	return func(f roster.Field, want, have string) bool {
		switch {
		case (f == roster.Email || f == roster.UserName || f == roster.NewEmail) && strings.EqualFold(want, have):
			return true
		case dl.same != nil:
			return dl.same(f, want, have)
		}
		return false
	}
}

// bulkMaxOps is the most operations a Bulk request carries: the service's
// maxOperations (at most 1000), or 50 where it does not say (what Entra
// sends: a safe guess).
func bulkMaxOps(d *Discovery) int {
	if d.BulkMaxOps <= 0 {
		return 50
	}
	return min(d.BulkMaxOps, 1000)
}
