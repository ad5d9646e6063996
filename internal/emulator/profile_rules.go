package emulator

import "time"

// The rules a SCIM profile is made of. Each field is data the handlers
// read; the table of profiles is in profiles.go, with the section of
// SCIM-DIALECTS.md each value comes from.

// profile is how one SCIM service behaves.
type profile struct {
	name    string
	summary string // one line, for --help

	userAgent bool   // a request without User-Agent is refused 403
	accept    string // a request whose Accept does not name this media type is refused 406

	discovery   discovery
	userFilter  filterRule
	groupFilter filterRule
	paging      paging
	patch       patchRule
	partialPut  bool // PUT changes only the attributes it names
	user        userRule
	manager     managerRule
	// clearsManager: reactivating an account clears its manager, unless
	// the same request sets one.
	clearsManager bool
	invites       bool // new accounts are invited at once
	// localeDefault is what a User's locale becomes when it is left out
	// or removed ("" for none): Meta's accounts, like Workplace's, fall
	// back to en_US.
	localeDefault string
	extensions    []string // User extensions the service keeps and answers
	ignoredExts   []string // extensions the service names, accepted and not kept
	coreKept      []string // core attributes kept beyond id, userName, name, displayName, emails, externalId, active; nil: all
	// ownExternalID: externalId is the service's own user id; a client's
	// is not kept.
	ownExternalID bool
	pending       pendingRule
	deletion      deletion
	groups        groupRule
	errors        errorShape
	duplicate     string // detail of a refused duplicate create; {email} and {id} are replaced
	throttle      throttleRule
	etags         bool // meta.version, ETag, If-Match and If-None-Match
	bulk          bool // POST /Bulk
	search        bool // POST /.search
}

// discovery is what the service says of itself (RFC 7644 §4).
type discovery struct {
	spc     string // the ServiceProviderConfig path ("" none: 404)
	schemas bool   // /Schemas and /ResourceTypes
	// byResource: /Schemas/Users and /Schemas/Groups as well as by URN.
	byResource bool
	// filterHidden: filter.supported is false though filters work.
	filterHidden   bool
	changePassword bool
}

// filterRule is the part of RFC 7644 §3.4.2.2 a service understands.
type filterRule struct {
	limited bool     // false: all of the grammar
	attrs   []string // attribute paths allowed, lower case
	ops     []string // comparison operators allowed; nil: all
	and, or bool     // expressions may be joined by and, by or
	// aliases: an attribute (lower case) that stands for another path.
	aliases map[string]string
}

// paging is how a listing pages.
type paging struct {
	cursor bool // RFC 9865 cursors only; startIndex is ignored
	// maxPage is the largest page the service answers; 0: Config.PageCap.
	maxPage int
	// shortPages: a cursor page holds one fewer than count while more
	// remain, as the service may.
	shortPages bool
	// listOmits: enterprise attributes a listing leaves out (GET by id
	// has them).
	listOmits []string
}

// patchRule restricts PATCH (RFC 7644 §3.5.2).
type patchRule struct {
	only           []string // the only attributes a PATCH may change; nil: any
	modifiable     []string // attributes a PATCH may change; nil: any
	noValueFilter  bool     // paths like emails[type eq "work"].value are refused
	eqOnlyInPath   bool     // a path's filter may only use eq
	oneOpOn        []string // at most one operation on these in a request
	noRemove       []string // attributes that cannot be removed
	pathlessSingle bool     // a path-less operation sets one attribute only
}

// userRule is what a User must be.
type userRule struct {
	required      []string // on POST and PUT: userName, displayName, name.givenName, name.familyName, emails, entitlements
	singleValued  []string // multi-valued attributes that take one value
	primaryEmail  bool     // the email must be marked primary
	refused       []string // attributes refused on create
	badChars      string   // characters no value may hold
	userNameMax   int      // longest userName; 0: no limit
	userNameFixed bool     // userName cannot change once set
	userNameEmail bool     // userName is an email address
	noAtInDisplay bool     // displayName cannot hold @
	handle        string   // userName becomes a handle with this _SHORTCODE
	handleMax     int      // longest handle, shortcode included
	lowerUserName bool     // userName is answered in lower case
	domains       []string // verified email domains; nil: any
	emailRequired bool     // a User needs an email, with Config.SCIMNoEmailless
	nameOptional  bool     // a User without a name is named by its userName
	entitlements  []entitlement
}

// entitlement is one of Salesforce's profiles, a create's entitlement.
type entitlement struct{ id, display string }

// managerRule is the enterprise manager's form (RFC 7643 §4.3).
type managerRule struct {
	subs   []string // sub-attributes accepted, lower case
	ids    []string // those that carry the manager's id, lower case, first wins
	answer string   // the sub-attribute answered with the id
	name   bool     // the answer has displayName
}

// pendingRule is how a service treats invited, unclaimed accounts.
type pendingRule struct {
	lookupRefused bool // a filter that finds one is answered 400
	putIgnored    bool // a PUT answers 200 and changes nothing
}

// deletion is what DELETE /Users/{id} does.
type deletion int

const (
	deleteUnclaimed  deletion = iota // removed, unless claimed (Workplace's rule)
	deleteHard                       // removed, whatever its state
	deleteDeactivate                 // active false, still listed
	deleteUnlink                     // deactivated, and the SCIM record gone: 404 after
	deleteRefused                    // users are never deleted
)

// groupRule is how /Groups behaves.
type groupRule struct {
	none        bool // no /Groups: 404
	hideMembers bool // GET and listings answer an empty members list
	maxMembers  int  // member changes a request may make; 0: Config.SCIMMaxMembers or 100
	noEmptying  bool // a request cannot replace or remove all members
	noRename    bool // displayName cannot change
}

// errorShape is how an error answer's body looks.
type errorShape int

const (
	shapeRFC   errorShape = iota // RFC 7644 §3.12, status a string
	shapeAWS                     // §3.12 plus "schema", exceptionRequestId, timeStamp
	shapeSlack                   // {"Errors": {"description", "code"}}
	shapeZoom                    // §3.12 with a numeric status
	shapeGraph                   // Graph's {"error": {…}}
)

// throttleRule is how the service limits a client.
type throttleRule struct {
	noRetryAfter bool         // a 429 carries no Retry-After
	rateHeaders  bool         // X-RateLimit-Limit and -Remaining on answers, -Reset on a 429
	limits       []routeLimit // per-route budgets, on top of Config.Rate
	window       windowLimit  // successful calls of one route in a long window
}

// routeLimit is a budget per minute with a burst. on names routes as the
// stats do ("POST /Users", "PATCH /Users/{id}") or "read" and "write".
type routeLimit struct {
	on        []string
	perMinute int
	burst     int
}

// windowLimit allows max successful calls of route in any span of per.
type windowLimit struct {
	route string
	max   int
	per   time.Duration
}
