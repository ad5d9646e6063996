package emulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Webhooks: every people set change, through either API, is POSTed to the
// configured URL in the shape Workplace documents for the people_sets
// field of the workplace_community object, signed like every Meta webhook
// (X-Hub-Signature-256: sha256=HMAC-SHA256(body, app secret)). One worker
// sends them in the order they happened, so each set's changes arrive in
// order; a failing receiver is retried with backoff.

// Webhook delivery limits.
const (
	hookTries    = 8
	hookFirstGap = 200 * time.Millisecond
	hookMaxGap   = 10 * time.Second
	hookTimeout  = 10 * time.Second
)

type hooks struct {
	url, secret string
	client      *http.Client
	now         func() time.Time

	mu      sync.Mutex
	queue   []SetChange
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	sent    int
	dropped int
}

func newHooks(url, secret string, now func() time.Time) *hooks {
	h := &hooks{url: url, secret: secret, now: now, client: &http.Client{Timeout: hookTimeout},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go h.run()
	return h
}

// enqueue is called under the store's lock, so changes queue in order.
func (h *hooks) enqueue(c SetChange) {
	h.mu.Lock()
	h.queue = append(h.queue, c)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *hooks) close() {
	select {
	case <-h.stop:
	default:
		close(h.stop)
	}
	<-h.done
}

func (h *hooks) run() {
	defer close(h.done)
	for {
		h.mu.Lock()
		var c *SetChange
		if len(h.queue) > 0 {
			c = &h.queue[0]
		}
		h.mu.Unlock()
		if c == nil {
			select {
			case <-h.wake:
				continue
			case <-h.stop:
				return
			}
		}
		delivered := h.deliver(*c)
		h.mu.Lock()
		h.queue = h.queue[1:]
		if delivered {
			h.sent++
		} else {
			h.dropped++
		}
		h.mu.Unlock()
	}
}

// payload is the body of one people set notification.
func (h *hooks) payload(c SetChange) []byte {
	value := map[string]any{"id": c.Set.ID}
	if c.Verb != "delete" {
		conds := c.Set.Conditions
		if conds == nil {
			conds = []Condition{}
		}
		value["name"], value["conditions"] = c.Set.Name, conds
	}
	body, _ := json.Marshal(map[string]any{
		"object": "workplace_community",
		"entry": []any{map[string]any{"id": "community", "time": h.now().Unix(),
			"changes": []any{map[string]any{"field": "people_sets", "value": value}}}},
	})
	return body
}

// Sign is the X-Hub-Signature-256 value of body.
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (h *hooks) deliver(c SetChange) bool {
	body := h.payload(c)
	gap := hookFirstGap
	for try := 1; try <= hookTries; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), hookTimeout)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hub-Signature-256", Sign(body, h.secret))
		resp, err := h.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		cancel()
		if err == nil && resp.StatusCode < 300 {
			return true
		}
		select {
		case <-time.After(gap):
		case <-h.stop:
			return false
		}
		gap = min(2*gap, hookMaxGap)
	}
	return false
}

// WebhookStats counts notifications delivered and given up on.
type WebhookStats struct {
	Sent    int `json:"sent"`
	Dropped int `json:"dropped"`
	Pending int `json:"pending"`
}

func (h *hooks) stats() WebhookStats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return WebhookStats{Sent: h.sent, Dropped: h.dropped, Pending: len(h.queue)}
}
