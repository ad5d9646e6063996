package scim

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Every write is checked against the User the service answered, or, where
// it answered none (204, a Bulk answer without it), against the User read
// back: a service may accept a value and keep another, or none (an
// open-source server ignored a PATCH of the manager in one path form;
// Zoom's pending users, §5). Only the fields the service reads are
// checked, through Capabilities.Equal: a value the service rewrites
// (Salesforce's lower-case userName, GitHub's handle) is kept. A manager
// not kept is sent once more in the service's other documented form
// (…:manager as an object, …:manager.value, managerId: §2, §12); a value
// still not kept is a *target.NotApplied, with the account as the service
// holds it.

// verify checks the fields of set that got (nil: read now) holds as to
// says, and returns got with a *target.NotApplied for the first that it
// does not.
func (c *Client) verify(ctx context.Context, r target.Ref, got, to *target.Account, set []roster.Field) (*target.Account, error) {
	caps, w, err := c.state(ctx)
	if err != nil || got == bulkAnswered {
		return nil, err
	}
	if got == nil {
		if got, err = c.read(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	bad := unkept(caps, got, to, set)
	if slices.Contains(bad, roster.Manager) && to.ManagerID() != "" && w.patch && len(w.managerForms) > 1 {
		if again, err := c.managerAgain(ctx, r, got, to, w); err != nil {
			return got, err
		} else if again != nil {
			got = again
			bad = unkept(caps, got, to, set)
		}
	}
	if len(bad) == 0 {
		return got, nil
	}
	f := bad[0]
	sent, kept := to.Get(f), got.Get(f)
	switch f {
	case roster.UserName:
		sent, kept = to.LoginName(), got.LoginName()
	case roster.Phone:
		sent = to.PrimaryPhone()
	}
	return got, &target.NotApplied{Field: string(f), Sent: sent, Kept: kept, Target: Name}
}

// managerAgain sends the manager in each other form the service documents
// until one is kept; it returns the User as last answered or read.
func (c *Client) managerAgain(ctx context.Context, r target.Ref, got, to *target.Account, w *wire) (*target.Account, error) {
	if got.Version != "" {
		r.Version = got.Version
	}
	for _, form := range w.managerForms[1:] {
		path, v := form.op(to.ManagerID())
		again, err := c.change(ctx, r, []patchOp{{Op: "replace", Path: path, Value: v}}, true)
		if err != nil {
			return nil, err
		}
		if again == bulkAnswered {
			return nil, nil
		}
		if again == nil {
			if again, err = c.read(ctx, r.ID); err != nil {
				return nil, err
			}
		}
		got = again
		if got.ManagerID() == to.ManagerID() {
			break
		}
	}
	return got, nil
}

// unkept lists, in set's order, the fields the service reads whose value
// in got is not what to says (a cleared field reads as its default).
func unkept(caps *target.Capabilities, got, to *target.Account, set []roster.Field) []roster.Field {
	var out []roster.Field
	seen := map[roster.Field]bool{}
	for _, f := range set {
		switch f {
		case roster.NewEmail:
			f = roster.Email
		case roster.WorkPhone, roster.MobilePhone, roster.PhoneType:
			f = roster.Phone
		}
		if seen[f] || !caps.CanRead(f) {
			continue
		}
		seen[f] = true
		if !kept(caps, f, got, to) {
			out = append(out, f)
		}
	}
	return out
}

// kept reports whether got holds to's value of f.
func kept(caps *target.Capabilities, f roster.Field, got, to *target.Account) bool {
	switch f {
	case roster.Active:
		return got.Active == to.Active
	case roster.Manager:
		return got.ManagerID() == to.ManagerID()
	case roster.UserName:
		return caps.Equal(f, to.LoginName(), got.LoginName())
	case roster.Invited:
		return to.Invited == nil || !*to.Invited || got.Invited != nil && *got.Invited
	case roster.Phone:
		want := to.Phones
		if caps.MaxPhones > 0 && len(want) > caps.MaxPhones {
			want = primaryFirst(want)[:caps.MaxPhones]
		}
		if len(want) == 0 {
			return len(got.Phones) == 0
		}
		for _, p := range want {
			if !slices.ContainsFunc(got.Phones, func(q target.Phone) bool { return digits(q.Number) == digits(p.Number) }) {
				return false
			}
		}
		return true
	}
	want := to.Get(f)
	if want == "" {
		want = caps.Cleared(f)
	}
	return caps.Equal(f, want, got.Get(f))
}

// entitlementID is the id of the profile (entitlement) of that display
// name, from GET /Entitlements (Salesforce §7: listing all returns at most
// 200), asked once.
func (c *Client) entitlementID(ctx context.Context, name string) (string, error) {
	c.discMu.Lock()
	id := c.entitlement
	c.discMu.Unlock()
	if id != "" {
		return id, nil
	}
	var lr listResponse
	if err := c.get(ctx, "/Entitlements", &lr); err != nil {
		return "", err
	}
	var names []string
	for _, e := range lr.Resources {
		n := str(e, "displayName")
		if n == name {
			id = cmp.Or(str(e, "value"), str(e, "id"))
			break
		}
		names = append(names, n)
	}
	if id == "" {
		return "", invalid(http.MethodPost, "/Users", "%s needs a profile for every new user; wpimport gives new users the one named %q, "+
			"and /Entitlements lists none of that name (it lists %q): add that profile in Salesforce, or create these users there",
			c.dialect.service, name, names)
	}
	c.discMu.Lock()
	c.entitlement = id
	c.discMu.Unlock()
	return id, nil
}
