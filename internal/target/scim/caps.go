package scim

import (
	"context"

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

// Capabilities says what the service can do, from its discovery (asked
// once; see Discover) or, without any, the safe defaults.
func (c *Client) Capabilities(ctx context.Context) (*target.Capabilities, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	c.discMu.Lock()
	defer c.discMu.Unlock()
	if c.caps == nil {
		c.caps = capabilitiesOf(d, c.base.Host)
	}
	return c.caps, nil
}

// capabilitiesOf maps what discovery says to neutral capabilities.
func capabilitiesOf(d *Discovery, host string) *target.Capabilities {
	carries := target.FieldSet(roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.UserName,
		roster.ExternalID, roster.Title, roster.WorkLocale, roster.Active, roster.Phone, roster.WorkPhone,
		roster.MobilePhone, roster.PhoneType, roster.PictureURL, roster.NewEmail)
	reads := target.FieldSet(roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.UserName,
		roster.ExternalID, roster.Title, roster.WorkLocale, roster.Active, roster.Phone)
	both := func(fs ...roster.Field) {
		for _, f := range fs {
			carries[f], reads[f] = true, true
		}
	}
	if d.Knows(Enterprise) {
		both(roster.Department, roster.Division, roster.Organization, roster.CostCenter, roster.Manager)
	}
	if d.Knows(AuthMethod) {
		both(roster.AuthMethod)
	}
	if d.Knows(Status) {
		both(roster.Invited)
	}
	if d.Knows(Dates) {
		both(roster.StartDate)
	}
	if d.Groups {
		carries[roster.Groups] = true
	}
	batch := 1
	if d.Discovered && d.Filter && d.FilterMax >= lookupBatch {
		batch = lookupBatch
	}
	caps := &target.Capabilities{
		Target: Name, Service: "the SCIM service at " + host,
		Carries: carries, Reads: reads,
		LookupBy:    []target.KeyKind{target.ByID, target.ByEmail, target.ByUserName, target.ByExternalID},
		LookupBatch: batch,
		Paging:      target.PageIndex, Complete: true,
		Versions: d.ETag,
		Bulk:     d.Bulk, BulkMax: bulkMaxOps(d),
		Groups: d.Groups, GroupChunk: MaxMembersPerRequest, GroupMembersRead: true,
		Delete:          target.DeleteRemoves,
		PictureURL:      true,
		PhonesRemovable: true,
		ReadsClaim:      d.Knows(Status),
	}
	if !d.Bulk {
		caps.BulkMax = 0
	}
	spc, types := fromDefault, fromDefault
	if d.Discovered {
		spc = fromDiscovery
	}
	if d.TypesListed {
		types = fromDiscovery
	}
	for _, k := range []string{"patch", "lookup", "versions", "bulk"} {
		caps.SetOrigin(k, spc)
	}
	for _, k := range []string{"fields", "groups"} {
		caps.SetOrigin(k, types)
	}
	for _, k := range []string{"paging", "delete", "reactivation", "pictures"} {
		caps.SetOrigin(k, fromRFC)
	}
	if !d.Discovered {
		// A service without discovery is taken to be Meta's, as documented
		// (SCIM-DIALECTS.md §12, API-NOTES.md): reactivation clears the
		// manager, so an update that reactivates sets it again; new
		// accounts are invited at once; DELETE takes only accounts never
		// claimed; and its accounts, like Workplace's, fall back to en_US
		// when their locale is cleared.
		caps.ReactivationClearsManager = true
		caps.InvitesOnCreate = true
		caps.Delete = target.DeleteUnclaimed
		caps.Defaults = map[roster.Field]string{roster.WorkLocale: "en_US"}
		for _, k := range []string{"reactivation", "delete"} {
			caps.SetOrigin(k, "default: Meta's documented rules (the service has no discovery)")
		}
	}
	return caps
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
