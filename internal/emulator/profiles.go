package emulator

import (
	"fmt"
	"strings"
	"time"
)

// The SCIM profiles: how each service of /work/shared/SCIM-DIALECTS.md
// behaves, as strict as that document says ("§n" below is its section).
// Where it marks a fact [guess] or [NF] (not found), the profile does what
// RFC 7643/7644 say and the comment says so. Two exceptions, by choice:
// ETags and /Bulk are served only where the document says a service has
// them (both are optional in the RFC), so [NF] there means none.

// SCIM profile names.
const (
	ProfileRFC        = "rfc"
	ProfileMeta       = "meta"
	ProfileAWS        = "aws"
	ProfileGitHub     = "github"
	ProfileSlack      = "slack"
	ProfileAtlassian  = "atlassian"
	ProfileZoom       = "zoom"
	ProfileSalesforce = "salesforce"
)

// Attribute lists the profiles share.
var (
	// RFC 7643 §4.3, with the manager's displayName (answered, read-only).
	rfcManager = managerRule{subs: []string{"value", "$ref", "displayname"}, ids: []string{"value"}, answer: "value", name: true}
	// Store-backed extensions (API-NOTES.md, SCIM).
	metaExts = []string{entUserURN, fbAuthURN, fbStatusURN, fbDatesURN}
)

var profiles = []*profile{
	{
		name:      ProfileRFC,
		summary:   "the full RFC 7644 service: every filter, index paging, PATCH, PUT, Bulk, ETags, /.search",
		discovery: discovery{spc: "ServiceProviderConfig", schemas: true},
		manager:   rfcManager, extensions: metaExts, etags: true, bulk: true, search: true,
	},
	{
		name:    ProfileMeta,
		summary: "Meta's work accounts: /Users only, userName/externalId eq, no discovery, User-Agent required, invites at once",
		// §12, API-NOTES: User-Agent mandatory [doc]; 403 without, as before.
		userAgent: true,
		// §12: /Users "currently the only accessible endpoint": no discovery, no Groups.
		discovery: discovery{},
		groups:    groupRule{none: true},
		// §12: userName eq, externalId eq [code]; one expression.
		userFilter: filterRule{limited: true, attrs: []string{"userName", "externalId"}, ops: []string{"eq"}},
		// §12: manager written as manager.managerId [code]; the RFC form was
		// accepted before and still is. Answered as managerId.
		manager: managerRule{subs: []string{"value", "managerid", "$ref", "displayname"}, ids: []string{"value", "managerid"}, answer: "managerId"},
		// §12, API-NOTES: reactivation resets the manager [doc].
		clearsManager: true,
		localeDefault: "en_US", // Workplace's default locale (API-NOTES.md: default en_US)
		invites:       true,    // §12: invitation e-mails at once [doc]
		extensions:    metaExts,
		// §12: "Missing Email field" unless the e-mail-less setting is on [doc];
		// Config.SCIMNoEmailless turns the setting off.
		// §12: only userName is required to create [doc].
		user: userRule{emailRequired: true, nameOptional: true},
		// §12: DELETE only for never-claimed accounts.
		deletion: deleteUnclaimed,
		// §12: error bodies Graph-style {"error":{"message"}} [code].
		errors: shapeGraph,
		// §12: partial PUTs are what Meta's scripts send [code]; that the
		// service merges them is not stated: PUT replaces (RFC §3.5.1).
		// ETags, Bulk: [NF], so none. /.search: served as before (it is
		// under /Users).
		search: true,
	},
	{
		name:    ProfileAWS,
		summary: "AWS IAM Identity Center: eq+and filters, cursor-only paging, strict PATCH, no Bulk/ETags/.search, groups answered without members",
		// §1 serviceproviderconfig.html: the page exists. It documents no
		// RFC 9865 pagination attribute, so none is announced.
		discovery: discovery{spc: "ServiceProviderConfig", schemas: true},
		// §1 limitations, listusers: eq only, joined by and; userName,
		// externalId, groups.value, id with manager.
		userFilter: filterRule{limited: true, ops: []string{"eq"}, and: true,
			attrs:   []string{"userName", "externalId", "groups.value", "id", "manager"},
			aliases: map[string]string{"manager": entUserURN + ":manager"}},
		// §1: members filter on ListGroups; displayName (Entra's mapping).
		groupFilter: filterRule{limited: true, ops: []string{"eq"}, and: true,
			attrs: []string{"displayName", "externalId", "id", "members", "members.value"}},
		// §1 listusers: cursor only, count 1–100, startIndex ignored; pages
		// may hold fewer than count while nextCursor is present.
		paging: paging{cursor: true, maxPage: 100, shortPages: true},
		// §1 patchuser; authentik#12321 for the path-less message.
		patch: patchRule{
			modifiable: []string{"userName", "active", "externalId", "displayName", "nickName", "profileUrl", "title",
				"userType", "preferredLanguage", "locale", "timezone", "name", "emails", "addresses", "phoneNumbers", "enterprise"},
			eqOnlyInPath: true, oneOpOn: []string{"userName", "active"}, noRemove: []string{"userName", "active"}, pathlessSingle: true,
		},
		// §1 createuser, putuser; rejected characters from Entra's tutorial.
		user: userRule{
			required:     []string{"userName", "displayName", "name.givenName", "name.familyName"},
			singleValued: []string{"emails", "addresses", "phoneNumbers", "roles"},
			primaryEmail: true,
			refused:      []string{"password", "ims", "photos", "x509Certificates", "entitlements", "groups"},
			badChars:     "\t\n\r\"<>|;:%",
		},
		// §1 createuser: no manager.displayName, no display sub-attribute.
		manager:    managerRule{subs: []string{"value", "$ref"}, ids: []string{"value"}, answer: "value"},
		extensions: []string{entUserURN}, // §1 patchuser: "enterprise"
		deletion:   deleteHard,           // §1 deleteuser: 204, gone
		// §1 creategroup, patchgroup, listgroups.
		groups:    groupRule{hideMembers: true, maxMembers: 100, noEmptying: true},
		errors:    shapeAWS,
		duplicate: "Refused to create a new, duplicate resource.",
		// §1: 429 ThrottlingException, no numbers published; Retry-After
		// [NF], and none is sent (RFC 6585 makes it optional).
		throttle: throttleRule{noRetryAfter: true},
		// §1: meta.version not supported; /Bulk, /.search not supported.
	},
	{
		name:    ProfileGitHub,
		summary: "GitHub EMU: no discovery, one filter expression, no value-filter paths, userName made a handle, 1,000 users an hour",
		// §3: User-Agent required [doc]; 403 without (the status is not in
		// the document; the brief gives it).
		userAgent: true,
		// §3 documents no discovery endpoint (issue 21): 404.
		discovery: discovery{},
		// §3: one expression; users userName, externalId, id, displayName;
		// groups externalId, id, displayName. Operators [NF]: RFC's.
		userFilter:  filterRule{limited: true, attrs: []string{"userName", "externalId", "id", "displayName"}},
		groupFilter: filterRule{limited: true, attrs: []string{"externalId", "id", "displayName"}},
		patch:       patchRule{noValueFilter: true}, // §3: emails[type eq "work"] "will not work"
		// §3 username-considerations: normalised to a handle, ≤39 with
		// _SHORTCODE, collisions 409, too long 400.
		user:     userRule{handle: "acme", handleMax: 39},
		manager:  rfcManager,
		coreKept: []string{"roles"}, // §3 attributes: name, userName, emails, roles, externalId, active
		deletion: deleteHard,        // §3: hard-deprovision, irreversible
		// §3: ≤1,000 users an hour, "rate limit" error, 429 [secondary].
		throttle: throttleRule{window: windowLimit{route: "POST /Users", max: 1000, per: time.Hour}},
		// §3: ETag, Bulk [NF]. /.search [NF]: RFC's (served).
		search: true,
	},
	{
		name:    ProfileSlack,
		summary: "Slack: userName under 21 characters, no @ in displayName, managerId, DELETE deactivates, 429 + Retry-After per minute",
		// §2 scim-api-2: ServiceProviderConfig, ResourceTypes,
		// Schemas/Users, Schemas/Groups; filter support under-reported.
		discovery: discovery{spc: "ServiceProviderConfig", schemas: true, byResource: true, filterHidden: true},
		// §2: matching on userName and email only (`emails eq`, `email eq`).
		// Operators and joins [NF]: RFC's.
		userFilter: filterRule{limited: true, attrs: []string{"userName", "emails", "emails.value", "email"}, and: true, or: true,
			aliases: map[string]string{"email": "emails"}},
		// §2 (Entra, Ping): userName < 21, unique, never changed; no @ in displayName.
		user: userRule{userNameMax: 20, userNameFixed: true, noAtInDisplay: true},
		// §2: manager is enterprise manager.managerId, not manager.value.
		manager:     managerRule{subs: []string{"managerid"}, ids: []string{"managerid"}, answer: "managerId"},
		extensions:  []string{entUserURN},
		ignoredExts: []string{slackProfileURN, slackGuestURN}, // §2; their attributes are not emulated
		deletion:    deleteDeactivate,                         // §2: DELETE /Users sets the user deactivated
		errors:      shapeSlack,                               // §2 (hackclub)
		duplicate:   "email_taken: the email {email} is already used by existing_user={id}",
		// §2 rate-limits: org-wide; writes 600/min burst 180, reads 1000/min,
		// GET user 300/min, create/update/delete user 180/min each burst 20.
		// Bursts not given [NF] are a minute's budget.
		throttle: throttleRule{limits: []routeLimit{
			{on: []string{"write"}, perMinute: 600, burst: 180},
			{on: []string{"read"}, perMinute: 1000, burst: 1000},
			{on: []string{"GET /Users/{id}"}, perMinute: 300, burst: 300},
			{on: []string{"POST /Users"}, perMinute: 180, burst: 20},
			{on: []string{"PUT /Users/{id}", "PATCH /Users/{id}"}, perMinute: 180, burst: 20},
			{on: []string{"DELETE /Users/{id}"}, perMinute: 180, burst: 20},
		}},
		// §2: Bulk, ETag [NF]; /.search is not in the endpoint list.
	},
	{
		name:    ProfileAtlassian,
		summary: "Atlassian: single eq on userName/externalId, 100 a page, verified domains only, DELETE unlinks (404 after), no group renames",
		// §4: discovery [NF]: RFC's (served).
		discovery:  discovery{spc: "ServiceProviderConfig", schemas: true},
		userFilter: filterRule{limited: true, attrs: []string{"userName", "externalId"}, ops: []string{"eq"}}, // §4
		paging:     paging{maxPage: 100},                                                                      // §4: 100 a call; cursor [guess]: not served
		// §4: creates only for e-mails on a verified domain [secondary].
		user:       userRule{domains: []string{"acme.example", "bench.example"}},
		manager:    rfcManager,
		extensions: []string{entUserURN}, // §4: department, organization are updatable
		deletion:   deleteUnlink,         // §4: deactivate, record deleted, 404 after
		groups:     groupRule{noRename: true},
		// §4: 429 with rate-limit headers [doc]; their names are not in the
		// document [guess]: X-RateLimit-*, Retry-After as Atlassian's Jira
		// Cloud documents them.
		throttle: throttleRule{rateHeaders: true},
		// §4: ETag, Bulk [NF]. /.search [NF]: RFC's (served).
		search: true,
	},
	{
		name:    ProfileZoom,
		summary: "Zoom: Accept application/scim+json, PATCH only for active, partial PUT, externalId is Zoom's id, numeric error status",
		// §5: "set Accept: application/scim+json" [doc]; a request without
		// it is refused 406 (the refusal and its status are our reading).
		accept: "application/scim+json",
		// §5: the operation table has 11 operations, on Users and Groups
		// only [doc]: no discovery (404), no /.search.
		discovery: discovery{},
		// §5: userName eq {email}, externalId eq {Zoom's user id}.
		userFilter: filterRule{limited: true, attrs: []string{"userName", "externalId"}, ops: []string{"eq"},
			aliases: map[string]string{"externalid": "id"}},
		ownExternalID: true,
		// §5: ListUsers lacks manager, organization, costCenter [issue].
		paging: paging{listOmits: []string{"manager", "organization", "costCenter"}},
		// §5: PATCH documented as activate/deactivate only; other
		// attributes [guess] refused, as the brief chose.
		patch:       patchRule{only: []string{"active"}},
		partialPut:  true,                          // §5: "only include the fields you want to change" [secondary]
		user:        userRule{userNameEmail: true}, // §5: userName (e-mail) required
		manager:     rfcManager,                    // §5 [NF]: RFC's
		extensions:  []string{entUserURN},          // §5: enterprise department
		ignoredExts: []string{zoomUserURN, zoomLicenceURN},
		// §5: a pending user: 400 on look-up [issue], updates not applied [secondary].
		pending:  pendingRule{lookupRefused: true, putIgnored: true},
		deletion: deleteHard, // §5: 204; delete vs unlink [NF]: RFC's (removed)
		errors:   shapeZoom,  // §5, §15.8: numeric status
		// §5: 429; no Retry-After documented [secondary].
		throttle: throttleRule{noRetryAfter: true},
		etags:    true, // §5: meta.version W/"…" [secondary]; If-Match [NF]: RFC's
		// §5: Bulk [NF]; no /.search among the 11 operations.
	},
	{
		name:    ProfileSalesforce,
		summary: "Salesforce: /ServiceProviderConfigs (plural), 200 a page, a profile entitlement required, userName answered lower-case, no DELETE",
		// §7: plural path even in v2; changePassword supported; Schemas [NF]: served.
		discovery: discovery{spc: "ServiceProviderConfigs", schemas: true, changePassword: true},
		paging:    paging{maxPage: 200}, // §7: maxResults 200
		// §7: the User object's required fields and a profile entitlement;
		// userName answered in lower case.
		user: userRule{required: []string{"userName", "name.familyName", "emails", "entitlements"}, lowerUserName: true,
			entitlements: []entitlement{{"00e000000000001AAA", "Standard User"}, {"00e000000000002AAA", "System Administrator"}}},
		manager:    rfcManager,
		extensions: []string{entUserURN},
		deletion:   deleteRefused, // §7: deactivated, never deleted
		// §7: bulk not supported (maxOperations 0); ETag [NF]: none.
		// /.search [NF]: RFC's (served).
		search: true,
	},
}

// More extension schemas the services name (§2, §5).
const (
	slackProfileURN = "urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User"
	slackGuestURN   = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"
	zoomUserURN     = "urn:us:zoom:scim:schemas:extension:1.0:ZoomUser"
	zoomLicenceURN  = "urn:ietf:params:scim:schemas:extension:zoom:1.0:User"
)

// ProfileNames lists the SCIM profiles.
func ProfileNames() []string {
	var out []string
	for _, p := range profiles {
		out = append(out, p.name)
	}
	return out
}

// ProfileSummary says in a line how a profile behaves ("" if unknown).
func ProfileSummary(name string) string {
	if p, err := profileNamed(name); err == nil {
		return p.summary
	}
	return ""
}

func profileNamed(name string) (*profile, error) {
	for _, p := range profiles {
		if p.name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("SCIM profile %q: use one of %s", name, strings.Join(ProfileNames(), ", "))
}

// has reports whether list holds s, ignoring case.
func has(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
