package scim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/target"
)

// Bulk (RFC 7644 §3.7). With Config.Bulk, on a service whose discovery
// says it has Bulk, creates and PATCH updates made at about the same time
// (apply runs many at once) go out together in /Bulk requests, each
// within the service's maxOperations and maxPayloadSize; every caller
// still gets its own answer. A Bulk request is one call to the caller's
// Wrap, not safe to repeat (it holds creates). A lost or failed Bulk
// answer gives each of its operations that error: a create is then
// resolved by the caller like a lost POST (never a duplicate), and an
// operation safe to repeat (a replace) is sent again on its own, so that
// no update is left unknown.
//
// Managers need no bulkId references: apply creates a level of the
// hierarchy only once the level above exists, so a report's manager
// always has its id before the report's request is built.

// bulkGather is how long the batcher waits for more operations after the
// last one came, and bulkMaxWait the longest a first one waits.
const (
	bulkGather   = 15 * time.Millisecond
	bulkMaxWait  = 150 * time.Millisecond
	bulkInFlight = 4 // Bulk requests in flight at once
)

type bulkItem struct {
	req  request
	data json.RawMessage
	done chan bulkAnswer
	size int
}

type bulkAnswer struct {
	status int
	body   map[string]any
	err    error
}

type bulker struct {
	c          *Client
	ctx        context.Context // of the Bulk requests: Close cancels them
	cancel     context.CancelFunc
	maxOps     int
	maxPayload int
	hold       int // tests: gather exactly this many operations, timers aside
	in         chan *bulkItem
	slots      chan struct{}
	stop       chan struct{}
}

// write sends a User write: through Bulk when on, else on its own. A
// Bulk operation safe to repeat whose answer was lost, failed in passing
// or was throttled is sent again on its own (without If-Match if it may
// have taken effect: the version sent would now be our own old one).
func (c *Client) write(ctx context.Context, req request, out *map[string]any) (answer, error) {
	b, err := c.bulker(ctx)
	if err != nil {
		return answer{}, err
	}
	if b == nil {
		return c.do(ctx, req, out)
	}
	ans, err := b.send(ctx, req, out)
	if err == errBulkGone { // nothing was done: on its own
		*out = nil
		return c.do(ctx, req, out)
	}
	if err == nil || !req.idempotent || !target.IsRetryable(err) || ctx.Err() != nil {
		return ans, err
	}
	if target.IsUnknownOutcome(err) {
		req.ifMatch = ""
	}
	*out = nil
	return c.do(ctx, req, out)
}

// bulker returns the running batcher, starting it on first use, or nil
// when Bulk is off (not asked for, not offered, or closed).
func (c *Client) bulker(ctx context.Context) (*bulker, error) {
	if !c.bulkWanted {
		return nil, nil
	}
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	caps, _, err := c.state(ctx)
	if err != nil || !caps.Bulk {
		return nil, err
	}
	c.bulkMu.Lock()
	defer c.bulkMu.Unlock()
	if c.bulkGone {
		return nil, nil
	}
	if c.bulk != nil || c.bulkClosed {
		return c.bulk, nil
	}
	maxPayload := d.BulkMaxPayload
	if maxPayload <= 0 {
		maxPayload = 1 << 20
	}
	b := &bulker{c: c, maxOps: bulkMaxOps(d), maxPayload: maxPayload, hold: c.bulkHold, in: make(chan *bulkItem),
		slots: make(chan struct{}, bulkInFlight), stop: make(chan struct{})}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	c.bulk = b
	go b.run()
	return b, nil
}

// Close stops the Bulk batcher, if any; writes after it go one by one.
func (c *Client) Close() error {
	c.bulkMu.Lock()
	b := c.bulk
	c.bulk, c.bulkClosed = nil, true
	c.bulkMu.Unlock()
	if b != nil {
		close(b.stop)
		b.cancel()
	}
	return nil
}

// send sends one operation through the batcher and waits for its answer.
func (b *bulker) send(ctx context.Context, req request, out *map[string]any) (answer, error) {
	enc, err := json.Marshal(req.body)
	if err != nil {
		return answer{}, err
	}
	it := &bulkItem{req: req, data: enc, done: make(chan bulkAnswer, 1), size: len(enc) + len(req.path) + 100}
	select {
	case b.in <- it:
	case <-ctx.Done():
		return answer{}, ctx.Err()
	case <-b.stop:
		return b.c.do(ctx, req, out) // closed before it went: on its own
	}
	select {
	case a := <-it.done:
		*out = a.body
		return answer{status: a.status, header: http.Header{}, bulk: true}, a.err
	case <-ctx.Done():
		// The operation may yet be sent: its outcome is unknown.
		return answer{}, b.c.classify(req, nil, nil, ctx.Err(), nil)
	}
}

func (b *bulker) run() {
	for {
		var batch []*bulkItem
		size := 200
		select {
		case it := <-b.in:
			batch, size = append(batch, it), size+it.size
		case <-b.stop:
			return
		}
		deadline := time.NewTimer(bulkMaxWait)
		gather := time.NewTimer(bulkGather)
		if b.hold > 0 {
			deadline.Stop()
			gather.Stop()
		}
	collect:
		for len(batch) < b.maxOps && (b.hold == 0 || len(batch) < b.hold) {
			select {
			case it := <-b.in:
				if size+it.size > b.maxPayload {
					b.flush(batch)
					batch, size = nil, 200
				}
				batch, size = append(batch, it), size+it.size
				if b.hold == 0 {
					gather.Reset(bulkGather)
				}
			case <-gather.C:
				break collect
			case <-deadline.C:
				break collect
			case <-b.stop:
				break collect
			}
		}
		deadline.Stop()
		gather.Stop()
		b.flush(batch)
	}
}

// flush sends a batch in the background, at most bulkInFlight at once.
func (b *bulker) flush(batch []*bulkItem) {
	if len(batch) == 0 {
		return
	}
	b.slots <- struct{}{}
	go func() {
		defer func() { <-b.slots }()
		b.c.sendBulk(b.ctx, batch)
	}()
}

// bulkResult is one operation's answer in a BulkResponse.
type bulkResult struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId"`
	Location string          `json:"location"`
	Version  string          `json:"version"`
	Status   any             `json:"status"`
	Response json.RawMessage `json:"response"`
}

// sendBulk makes one /Bulk request and hands each operation its answer.
func (c *Client) sendBulk(ctx context.Context, batch []*bulkItem) {
	ops := make([]map[string]any, len(batch))
	for i, it := range batch {
		op := map[string]any{"method": it.req.method, "path": it.req.path, "bulkId": "op" + strconv.Itoa(i), "data": it.data}
		if it.req.ifMatch != "" {
			op["version"] = it.req.ifMatch
		}
		ops[i] = op
	}
	body := map[string]any{"schemas": []string{BulkReq}, "failOnErrors": 0, "Operations": ops}
	var resp struct {
		Operations []bulkResult `json:"Operations"`
	}
	// Bulk requests are sent by a background sender, not by a caller whose
	// context could end: a request that is sent finishes, times out, or is
	// cancelled by Close (the run is over: the callers already gave up).
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	_, err := c.do(ctx, request{method: http.MethodPost, path: "/Bulk", body: body}, &resp)
	if target.IsNotFound(err) {
		// No /Bulk after all: every write goes on its own from now on.
		c.bulkMu.Lock()
		c.bulkGone = true
		c.bulkMu.Unlock()
		c.narrow("bulk", "POST /Bulk answered 404: writes go one a request", func(caps *target.Capabilities, _ *wire) {
			caps.Bulk, caps.BulkMax = false, 0
		})
		for _, it := range batch {
			it.done <- bulkAnswer{err: errBulkGone}
		}
		return
	}
	if err != nil {
		for _, it := range batch {
			it.done <- bulkAnswer{err: err}
		}
		return
	}
	answered := map[int]bool{}
	for k, r := range resp.Operations {
		if r.BulkID == "" && len(resp.Operations) == len(batch) {
			r.BulkID = "op" + strconv.Itoa(k) // a server that leaves bulkId out answers in order
		}
		i, err := strconv.Atoi(strings.TrimPrefix(r.BulkID, "op"))
		if err != nil || i < 0 || i >= len(batch) || answered[i] {
			continue
		}
		answered[i] = true
		batch[i].done <- c.opAnswer(batch[i].req, r)
	}
	for i, it := range batch { // an operation the answer left out: its outcome is unknown
		if !answered[i] {
			it.done <- bulkAnswer{err: c.classify(it.req, nil, nil, errLeftOut, nil)}
		}
	}
}

var (
	errBulkGone = errors.New("the service has no /Bulk")
	errLeftOut  = errors.New("the Bulk answer did not mention this operation")
	errNoStatus = errors.New("the Bulk answer gave this operation no status")
)

// opAnswer turns one operation's part of a BulkResponse into the answer
// its own request would have given.
func (c *Client) opAnswer(req request, r bulkResult) bulkAnswer {
	status := countOf(r.Status)
	if status == 0 {
		return bulkAnswer{err: c.classify(req, nil, nil, errNoStatus, nil)}
	}
	if status >= 300 {
		return bulkAnswer{status: status, err: c.classify(req, &http.Response{StatusCode: status, Header: http.Header{}}, r.Response, nil, nil)}
	}
	var rb map[string]any
	json.Unmarshal(r.Response, &rb)
	if rb == nil {
		rb = map[string]any{}
	}
	if _, ok := rb["id"]; !ok {
		if id := idFromLocation(r.Location); id != "" {
			rb["id"] = id
		}
	}
	if r.Version != "" {
		meta, _ := rb["meta"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
			rb["meta"] = meta
		}
		meta["version"] = r.Version
	}
	return bulkAnswer{status: status, body: rb}
}
