package emulator

import "time"

// Config sets the emulator's behaviour. The zero value is a fast, faultless,
// unlimited server that accepts the token "test-token".
type Config struct {
	Token   string        // accepted bearer token; "" means DefaultToken
	Rate    float64       // calls per second the app may make; 0 = unlimited
	Burst   int           // token bucket depth; 0 = 4% of Rate (at least 1)
	Latency time.Duration // added to every call
	// ReadTimeout bounds reading a request, headers and body (default
	// 10 s): a client sending slowly cannot hold a connection.
	ReadTimeout time.Duration
	Jitter      time.Duration // random extra latency, up to this
	FailRate    float64       // fraction of calls answered 500 code 2, with no side effect
	DropRate    float64       // fraction of writes committed and then left unanswered
	Seed        int64         // for the fault and latency draws
	PageCap     int           // largest page a list returns; 0 = 100
	Now         func() time.Time
	State       *State // initial state
	// RetryAfter, if set, is sent with throttling errors.
	RetryAfter time.Duration
	// UsageWindow is the rolling window of the X-App-Usage budget: Rate
	// calls a second over it are 100% (default 60 s; Graph's is an hour).
	UsageWindow time.Duration
	// NoUsage leaves X-App-Usage out, as services that publish nothing do.
	NoUsage bool

	// SCIMProfile is how the SCIM API behaves: ProfileRFC (the default:
	// the full RFC service), or one service as SCIM-DIALECTS.md documents
	// it: ProfileAWS, ProfileGitHub, ProfileSlack, ProfileAtlassian,
	// ProfileZoom, ProfileSalesforce, ProfileMeta (profiles.go).
	SCIMProfile string
	// SCIMNoEmailless, with ProfileMeta, turns the tenant's email-less
	// setting off: a User without an email is refused.
	SCIMNoEmailless bool
	// SCIMVerifiedDomains, with ProfileAtlassian, are the email domains
	// accounts may be made on (default acme.example and bench.example).
	SCIMVerifiedDomains []string
	// SCIMUserWindow and SCIMUserWindowMax, with ProfileGitHub, bound the
	// users made in any window (default 1,000 an hour); a test sets a
	// shorter one.
	SCIMUserWindow    time.Duration
	SCIMUserWindowMax int
	// SCIMNoRouteLimits turns off a profile's budgets a minute per route
	// (Slack's, §2), for tests that are not about them (the conformance
	// suite makes hundreds of accounts in seconds); Rate, faults and
	// GitHub's window (above) still apply.
	SCIMNoRouteLimits bool
	// SCIMIgnoredPatchPaths are User PATCH paths (compared ignoring case)
	// whose operations are answered as done and change nothing, in any
	// profile: an open-source server that silently ignored a PATCH of the
	// manager in one path form (issue 21; SCIM-DIALECTS.md §15.14: values
	// accepted and not applied).
	SCIMIgnoredPatchPaths []string
	// SCIMFilterMax is filter.maxResults: a filter matching more is
	// answered tooMany (default 200).
	SCIMFilterMax int
	// SCIMMaxPayload is maxPayloadSize, the largest request body (default 1 MiB).
	SCIMMaxPayload int
	// SCIMBulkMaxOps is the Bulk maxOperations (default 1000).
	SCIMBulkMaxOps int
	// SCIMMaxMembers is the most group members one request may add or
	// remove (default 100).
	SCIMMaxMembers int

	// WebhookURL, if set, hears every people set change (create, update,
	// delete, through either API), signed with AppSecret.
	WebhookURL string
	AppSecret  string
}

// DefaultToken is the token the emulator accepts unless told otherwise.
const DefaultToken = "test-token"
