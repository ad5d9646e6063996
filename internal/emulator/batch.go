package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

type batchItem struct {
	Method      string `json:"method"`
	RelativeURL string `json:"relative_url"`
	Body        string `json:"body"`
}

type batchResult struct {
	Code    int           `json:"code"`
	Headers []batchHeader `json:"headers"`
	Body    string        `json:"body"`
}

type batchHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// serveBatch runs up to 50 items in order; each counts as one call.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request) {
	var items []batchItem
	if err := json.Unmarshal([]byte(r.Form.Get("batch")), &items); err != nil {
		s.writeErr(w, invalidParam(SubInvalidValue, "batch must be a JSON array of {method, relative_url, body}"))
		return
	}
	if len(items) > 50 {
		s.writeErr(w, invalidParam(SubInvalidValue, "A batch holds at most 50 requests"))
		return
	}
	out := make([]*batchResult, len(items))
	for i, it := range items {
		u, err := url.Parse("/" + strings.TrimPrefix(it.RelativeURL, "/"))
		if err != nil {
			out[i] = &batchResult{Code: 400, Body: `{"error":{"message":"bad relative_url","code":100}}`}
			continue
		}
		f := form(u.Query())
		if it.Body != "" {
			if body, err := url.ParseQuery(it.Body); err == nil {
				for k, v := range body {
					f[k] = v
				}
			}
		}
		method := strings.ToUpper(it.Method)
		if method == "" {
			method = http.MethodGet
		}
		resp := s.call(r.Context(), method, stripVersion(u.Path), f, nil)
		if resp.drop {
			out[i] = nil // timed out, as Graph reports it
			continue
		}
		body, _ := json.Marshal(resp.body)
		res := &batchResult{Code: resp.status, Body: string(body)}
		for k, v := range resp.headers {
			res.Headers = append(res.Headers, batchHeader{k, v})
		}
		out[i] = res
	}
	s.write(w, response{body: out, headers: s.usageHeaders(-1)})
}
