package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Bulk (RFC 7644 §3.7). With EnableBulk, creates and PATCH updates made
// at about the same time (apply runs many at once) go out together in
// /Bulk requests, each within the service's maxOperations and
// maxPayloadSize; every caller still gets its own answer. A Bulk request
// is one call to the pacer. A lost or failed Bulk answer gives each of
// its operations that error, so that each create is then resolved by a
// look-up like a lost POST: never a duplicate.
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
	method, path string
	data         any
	version      string
	done         chan bulkAnswer
	size         int
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
	in         chan *bulkItem
	slots      chan struct{}
	stop       chan struct{}
	once       sync.Once
}

// EnableBulk sends creates and updates in /Bulk requests from now on, if
// the service supports Bulk; it reports whether it does. Close stops it.
func (c *Client) EnableBulk(ctx context.Context) (bool, error) {
	caps, err := c.Discover(ctx)
	if err != nil || !caps.Bulk {
		return false, err
	}
	maxOps := caps.BulkMaxOps
	if maxOps <= 0 {
		maxOps = 50 // what Entra uses: a safe guess when the service does not say
	}
	maxPayload := caps.BulkMaxPayload
	if maxPayload <= 0 {
		maxPayload = 1 << 20
	}
	b := &bulker{c: c, maxOps: min(maxOps, 1000), maxPayload: maxPayload, in: make(chan *bulkItem),
		slots: make(chan struct{}, bulkInFlight), stop: make(chan struct{})}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	c.mu.Lock()
	c.bulk = b
	c.mu.Unlock()
	go b.run()
	return true, nil
}

// BulkSize is the most operations a Bulk request carries (0 without Bulk).
func (c *Client) BulkSize() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bulk == nil {
		return 0
	}
	return c.bulk.maxOps
}

// Close stops the Bulk batcher, if any.
func (c *Client) Close() {
	c.mu.Lock()
	b := c.bulk
	c.bulk = nil
	c.mu.Unlock()
	if b != nil {
		b.once.Do(func() { close(b.stop); b.cancel() })
	}
}

func (c *Client) bulker() *bulker {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bulk
}

// send sends one operation through the batcher and waits for its answer.
func (b *bulker) send(ctx context.Context, method, path string, data any, version string, out *map[string]any) (answer, error) {
	enc, err := json.Marshal(data)
	if err != nil {
		return answer{}, err
	}
	it := &bulkItem{method: method, path: path, data: json.RawMessage(enc), version: version, done: make(chan bulkAnswer, 1), size: len(enc) + len(path) + 100}
	select {
	case b.in <- it:
	case <-ctx.Done():
		return answer{}, ctx.Err()
	case <-b.stop:
		return answer{}, &workplace.TransportError{Method: method, Path: path, Err: fmt.Errorf("the Bulk sender stopped")}
	}
	select {
	case a := <-it.done:
		if out != nil {
			*out = a.body
		}
		return answer{status: a.status}, a.err
	case <-ctx.Done():
		// The operation may yet be sent: its outcome is unknown.
		return answer{}, &workplace.TransportError{Method: method, Path: path, Err: ctx.Err()}
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
	collect:
		for len(batch) < b.maxOps {
			select {
			case it := <-b.in:
				if size+it.size > b.maxPayload {
					b.flush(batch)
					batch, size = nil, 200
				}
				batch, size = append(batch, it), size+it.size
				gather.Reset(bulkGather)
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

// sendBulk makes one /Bulk request and hands each operation its answer.
func (c *Client) sendBulk(ctx context.Context, batch []*bulkItem) {
	ops := make([]map[string]any, len(batch))
	for i, it := range batch {
		op := map[string]any{"method": it.method, "path": it.path, "bulkId": "op" + strconv.Itoa(i)}
		if it.data != nil {
			op["data"] = it.data
		}
		if it.version != "" {
			op["version"] = it.version
		}
		ops[i] = op
	}
	body := map[string]any{"schemas": []string{BulkReq}, "failOnErrors": 0, "Operations": ops}
	var resp struct {
		Operations []struct {
			Method   string          `json:"method"`
			BulkID   string          `json:"bulkId"`
			Location string          `json:"location"`
			Version  string          `json:"version"`
			Status   any             `json:"status"`
			Response json.RawMessage `json:"response"`
		} `json:"Operations"`
	}
	// Bulk requests are sent by a background sender, not by a caller whose
	// context could end: a request that is sent finishes, times out, or is
	// cancelled by Close (the run is over: the callers already gave up).
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	_, err := c.do(ctx, request{method: http.MethodPost, path: "/Bulk", body: body}, &resp)
	if err != nil {
		for _, it := range batch {
			it.done <- bulkAnswer{err: err}
		}
		return
	}
	answered := map[string]bool{}
	for k, r := range resp.Operations {
		if r.BulkID == "" && len(resp.Operations) == len(batch) {
			r.BulkID = "op" + strconv.Itoa(k) // a server that leaves bulkId out answers in order
		}
		i, err := strconv.Atoi(strings.TrimPrefix(r.BulkID, "op"))
		if err != nil || i < 0 || i >= len(batch) || answered[r.BulkID] {
			continue
		}
		answered[r.BulkID] = true
		it := batch[i]
		status := statusOf(r.Status)
		var rb map[string]any
		json.Unmarshal(r.Response, &rb)
		if status >= 300 || status == 0 {
			it.done <- bulkAnswer{status: status, err: c.opError(it, status, r.Response)}
			continue
		}
		if rb == nil {
			rb = map[string]any{}
		}
		if _, ok := rb["id"]; !ok {
			if id := idFromLocation(r.Location); id != "" {
				rb["id"] = id
			}
		}
		if r.Version != "" {
			rb["meta"] = map[string]any{"version": r.Version}
		}
		it.done <- bulkAnswer{status: status, body: rb}
	}
	for i, it := range batch { // an operation the answer left out: its outcome is unknown
		if !answered["op"+strconv.Itoa(i)] {
			it.done <- bulkAnswer{err: &workplace.TransportError{Method: it.method, Path: it.path, Err: fmt.Errorf("the Bulk answer did not mention this operation")}}
		}
	}
}

// statusOf reads a status written as a string or a number.
func statusOf(v any) int {
	switch t := v.(type) {
	case float64:
		return int(t)
	case string:
		n, _ := strconv.Atoi(strings.TrimSpace(t))
		return n
	}
	return 0
}

func idFromLocation(loc string) string {
	loc = strings.TrimRight(loc, "/")
	if i := strings.LastIndexByte(loc, '/'); i >= 0 && i < len(loc)-1 {
		return loc[i+1:]
	}
	return ""
}

// opError turns one Bulk operation's error into the error its own
// request would have given.
func (c *Client) opError(it *bulkItem, status int, raw json.RawMessage) error {
	if status == 0 {
		return &workplace.TransportError{Method: it.method, Path: it.path, Err: fmt.Errorf("the Bulk answer gave this operation no status")}
	}
	hdr := http.Header{}
	return c.apiError(request{method: it.method, path: it.path}, &http.Response{StatusCode: status, Header: hdr}, raw)
}
