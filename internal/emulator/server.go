package emulator

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Server is the emulator. It is an http.Handler.
type Server struct {
	faultMu sync.RWMutex // guards cfg.FailRate, cfg.DropRate, cfg.Token, refused and next
	cfg     Config
	refused string // a route every call of which is refused (Refuse)
	next    next
	store   *store
	limiter *rate.Limiter
	stats   stats
	rngMu   sync.Mutex
	rng     *rand.Rand
	httpSrv *http.Server
	ln      net.Listener
	hooks   *hooks // nil without a WebhookURL

	prof     *profile         // the SCIM profile
	throttle *profileThrottle // its own limits
	// SCIM-side state, guarded by store.mu: Atlassian's unlinked records
	// (404 after DELETE) and Salesforce's profile entitlements.
	gone     map[string]bool
	entitled map[string]string
}

// New makes an emulator from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Token == "" {
		cfg.Token = DefaultToken
	}
	if cfg.PageCap <= 0 {
		cfg.PageCap = 100
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, store: newStore(cfg.Now), rng: rand.New(rand.NewSource(cfg.Seed))}
	s.stats.byRoute = map[string]int{}
	if cfg.Rate > 0 {
		burst := cfg.Burst
		if burst <= 0 {
			burst = max(1, int(cfg.Rate*0.04))
		}
		s.limiter = rate.NewLimiter(rate.Limit(cfg.Rate), burst)
	}
	s.cfg.SCIMProfile = cmp.Or(cfg.SCIMProfile, ProfileRFC)
	prof, err := profileNamed(s.cfg.SCIMProfile)
	if err != nil {
		return nil, err
	}
	s.prof, s.gone, s.entitled = prof, map[string]bool{}, map[string]string{}
	s.throttle = newProfileThrottle(prof.throttle, cfg)
	if cfg.State != nil {
		if err := s.store.load(cfg.State); err != nil {
			return nil, err
		}
	}
	if cfg.WebhookURL != "" {
		s.hooks = newHooks(cfg.WebhookURL, cfg.AppSecret, cfg.Now)
		s.store.onSet = s.hooks.enqueue
	}
	return s, nil
}

// Start serves on addr ("127.0.0.1:0" picks a free port) in the background
// and returns the base URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.ln = ln
	// A client that sends slowly, or never reads, cannot hold a connection.
	rt := s.cfg.ReadTimeout
	if rt <= 0 {
		rt = 10 * time.Second
	}
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: rt, ReadTimeout: rt,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	go s.httpSrv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// URL returns the base URL of a started server.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops a started server at once, and its webhook sender.
func (s *Server) Close() error {
	if s.hooks != nil {
		s.hooks.close()
	}
	if s.httpSrv == nil {
		return nil
	}
	return s.httpSrv.Close()
}

// Webhooks counts people set notifications sent, given up on and pending.
func (s *Server) Webhooks() WebhookStats {
	if s.hooks == nil {
		return WebhookStats{}
	}
	return s.hooks.stats()
}

// Shutdown stops a started server, letting calls in flight finish and
// pending webhooks go out (until ctx ends).
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	if s.httpSrv != nil {
		err = s.httpSrv.Shutdown(ctx)
	}
	if s.hooks != nil {
		for s.hooks.stats().Pending > 0 && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
		s.hooks.close()
	}
	return err
}

// Snapshot returns a copy of the current state.
func (s *Server) Snapshot() *State { return s.store.snapshot() }

// LoadStateFile reads a state file written by SaveStateFile.
func LoadStateFile(path string) (*State, error) { return loadStateFile(path) }

// SaveStateFile writes the current state to path atomically.
func (s *Server) SaveStateFile(path string) error { return saveStateFile(path, s.Snapshot()) }

// SetFaults changes the fractions of 5xx answers and lost answers while
// the server runs (an outage, then a recovery, in a test).
func (s *Server) SetFaults(failRate, dropRate float64) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.cfg.FailRate, s.cfg.DropRate = failRate, dropRate
}

// SetToken changes the accepted token while the server runs: a token
// revoked or expired in the middle of a run, in a test.
func (s *Server) SetToken(token string) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.cfg.Token = token
}

// Refuse makes every call of route (named as Stats names routes, e.g.
// "POST /community/people_sets") answer a Graph error 100 with no side
// effect, as the service answers a value it will not take; "" ends it.
// Graph routes only (tests).
func (s *Server) Refuse(route string) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.refused = route
}

func (s *Server) refuses(route string) bool {
	s.faultMu.RLock()
	defer s.faultMu.RUnlock()
	return route != "" && route == s.refused
}

func (s *Server) faults() (fail, drop float64) {
	s.faultMu.RLock()
	defer s.faultMu.RUnlock()
	return s.cfg.FailRate, s.cfg.DropRate
}

// Token returns the accepted token.
func (s *Server) Token() string {
	s.faultMu.RLock()
	defer s.faultMu.RUnlock()
	return s.cfg.Token
}

func (s *Server) draw() float64 {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64()
}

// Size limits on what a request may carry, as the service has them
// [guess: Graph refuses photos over 4 MiB and large bodies with 413].
const (
	MaxUploadBytes = 4 << 20
	MaxFormBytes   = 1 << 20
)

// ServeHTTP runs the layers described in the package doc.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == SCIMPrefix || strings.HasPrefix(r.URL.Path, SCIMPrefix+"/") {
		s.serveSCIM(w, r)
		return
	}
	path := stripVersion(r.URL.Path)
	if !s.authorized(r) { // the admin routes show every account: token too
		s.stats.count(routeOf(r.Method, path), outcomeRejected)
		s.writeErr(w, badToken())
		return
	}
	if strings.HasPrefix(path, "/_emulator/") {
		s.serveControl(w, r, path)
		return
	}
	limit := int64(MaxFormBytes)
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/")
	if multipart {
		limit = MaxUploadBytes + 64<<10
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if multipart {
		err = r.ParseMultipartForm(MaxUploadBytes)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeErr(w, &gerr{status: http.StatusRequestEntityTooLarge, Type: "OAuthException", Code: 100,
			Message: fmt.Sprintf("(#100) The request is larger than the %d KiB the service accepts", limit>>10)})
		return
	}
	if r.Method == http.MethodPost && path == "/" && r.Form.Get("batch") != "" {
		s.serveBatch(w, r)
		return
	}
	resp := s.call(r.Context(), r.Method, path, r.Form, r)
	if resp.drop {
		dropConn(w)
		return
	}
	s.write(w, resp)
}

// response is what one call answers, before it is written.
type response struct {
	status  int
	body    any
	headers map[string]string
	drop    bool
	err     *serr // a SCIM error, shaped by the profile when written
}

// call runs one API call (a request or a batch item) through rate limit,
// latency, faults, the router and the lost-response draw.
func (s *Server) call(ctx context.Context, method, path string, form map[string][]string, r *http.Request) response {
	withUsage := func(resp response, pct int) response {
		resp.headers = s.usageHeaders(pct)
		return resp
	}
	return s.layers(ctx, routeOf(method, path), layered{
		write: method == http.MethodPost || method == http.MethodDelete,
		throttled: func() response {
			resp := withUsage(errResponse(throttled()), 100)
			if s.cfg.RetryAfter > 0 {
				resp.headers["Retry-After"] = strconv.Itoa(int(s.cfg.RetryAfter.Seconds() + 0.5))
			}
			return resp
		},
		fault: func() response { return withUsage(errResponse(serverFault()), -1) },
		handle: func() response {
			if route := routeOf(method, path); s.refuses(route) {
				return withUsage(errResponse(invalidParam(0, "The emulator was told to refuse %s", route)), -1)
			}
			return withUsage(s.route(method, path, form, r), -1)
		},
	})
}

// layered is what one protocol answers at each of the shared layers.
type layered struct {
	write     bool // a lost answer is drawn for writes only
	throttled func() response
	fault     func() response
	handle    func() response
}

// layers runs a call through what both APIs share: the rate limit (no
// side effect), latency, a 5xx fault (no side effect), the handler, and
// for writes the lost-answer draw (committed, then dropped).
func (s *Server) layers(ctx context.Context, route string, l layered) response {
	if s.take(&s.next.throttle) || s.limiter != nil && !s.limiter.Allow() {
		s.stats.count(route, outcomeThrottled)
		return l.throttled()
	}
	s.stats.admit(s.cfg.Now())
	if !s.delay(ctx) {
		return response{drop: true}
	}
	failRate, dropRate := s.faults()
	if s.take(&s.next.fail) || failRate > 0 && s.draw() < failRate {
		s.stats.count(route, outcomeFault)
		return l.fault()
	}
	resp := l.handle()
	if l.write && resp.status < 300 && (s.take(&s.next.drop) || dropRate > 0 && s.draw() < dropRate) {
		s.stats.count(route, outcomeDropped)
		resp.drop = true
		return resp
	}
	s.stats.count(route, outcomeServed)
	return resp
}

// delay waits the call's latency; false if the client went away first.
func (s *Server) delay(ctx context.Context) bool {
	if d := s.latency(); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return false
		}
	}
	return true
}

func (s *Server) latency() time.Duration {
	d := s.cfg.Latency
	if s.cfg.Jitter > 0 {
		d += time.Duration(s.draw() * float64(s.cfg.Jitter))
	}
	return d
}

// usageHeaders is Graph's X-App-Usage: a JSON object of the percentages
// of a rolling budget used, call_count of calls (Rate a second over
// UsageWindow), total_time and total_cputime of time. The emulator spends
// no real time, so it reports time in proportion to calls. pct ≥ 0 forces
// the figure (100 on a throttled answer).
func (s *Server) usageHeaders(pct int) map[string]string {
	if s.cfg.NoUsage {
		return map[string]string{}
	}
	if pct < 0 {
		pct = 0
		if s.limiter != nil {
			w := s.cfg.UsageWindow
			if w <= 0 {
				w = time.Minute
			}
			budget := s.cfg.Rate * w.Seconds()
			pct = min(int(100*float64(s.stats.within(s.cfg.Now(), w))/budget), 100)
		}
	}
	v := fmt.Sprintf(`{"call_count":%d,"total_time":%d,"total_cputime":%d}`, pct, pct*3/4, pct/2)
	return map[string]string{"X-App-Usage": v}
}

func (s *Server) authorized(r *http.Request) bool {
	tok := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		tok = strings.TrimPrefix(h, "Bearer ")
	} else if r.Form != nil {
		tok = r.Form.Get("access_token")
	} else {
		tok = r.URL.Query().Get("access_token")
	}
	return tok != "" && tok == s.Token()
}

func errResponse(e *gerr) response {
	if e.TraceID == "" {
		e.TraceID = "EMU" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	}
	return response{status: e.status, body: map[string]any{"error": e}}
}

func (s *Server) writeErr(w http.ResponseWriter, e *gerr) { s.write(w, errResponse(e)) }

func (s *Server) write(w http.ResponseWriter, resp response) {
	for k, v := range resp.headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	status := resp.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(resp.body)
}

// stripVersion removes a /v19.0 style prefix.
func stripVersion(p string) string {
	if len(p) > 2 && p[1] == 'v' && p[2] >= '0' && p[2] <= '9' {
		if i := strings.IndexByte(p[1:], '/'); i > 0 {
			return p[i+1:]
		}
		return "/"
	}
	return p
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodGet {
		s.writeErr(w, unsupported(r.Method, path))
		return
	}
	switch path {
	case "/_emulator/state":
		if r.URL.Query().Get("view") == "scim" {
			s.write(w, response{body: s.SCIMView()})
			return
		}
		s.write(w, response{body: s.Snapshot()})
	case "/_emulator/stats":
		s.write(w, response{body: s.Stats()})
	case "/_emulator/webhooks":
		s.write(w, response{body: s.Webhooks()})
	default:
		s.writeErr(w, unsupported(r.Method, path))
	}
}
