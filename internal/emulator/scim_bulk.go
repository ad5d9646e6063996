package emulator

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Bulk (RFC 7644 §3.7): operations run in order, each as its own request
// would; "bulkId:X" anywhere in an operation's path or data stands for the
// id the operation with bulkId X created, and an operation waits until
// that one has run. The whole request passes the rate limit once.

type bulkOp struct {
	Method  string          `json:"method"`
	BulkID  string          `json:"bulkId,omitempty"`
	Version string          `json:"version,omitempty"`
	Path    string          `json:"path"`
	Data    json.RawMessage `json:"data,omitempty"`
}

var bulkRef = regexp.MustCompile(`bulkId:([A-Za-z0-9._~-]+)`)

func (s *Server) bulkMaxOps() int {
	if s.cfg.SCIMBulkMaxOps > 0 {
		return s.cfg.SCIMBulkMaxOps
	}
	return defaultBulkOps
}

func (s *Server) bulk(body []byte) response {
	var req struct {
		Schemas      []string `json:"schemas"`
		FailOnErrors int      `json:"failOnErrors"`
		Operations   []bulkOp `json:"Operations"`
	}
	if err := decodeJSON(body, &req); err != nil {
		return errOf(err)
	}
	if len(req.Schemas) != 1 || req.Schemas[0] != scimBulkReqURN {
		return errOf(badRequest("invalidSyntax", "A Bulk request must list the schema %s", scimBulkReqURN))
	}
	if len(req.Operations) > s.bulkMaxOps() {
		return errOf(scimErr(http.StatusRequestEntityTooLarge, "", "The request has %d operations, more than maxOperations, %d", len(req.Operations), s.bulkMaxOps()))
	}
	ids := map[string]string{}  // bulkId → created id
	failed := map[string]bool{} // bulkIds whose operation failed
	owners := map[string]bool{} // every bulkId declared
	for _, op := range req.Operations {
		if op.BulkID != "" {
			owners[op.BulkID] = true
		}
	}
	results := make([]map[string]any, len(req.Operations))
	done := make([]bool, len(req.Operations))
	errs := 0
	for progress := true; progress; {
		progress = false
		for i, op := range req.Operations {
			if done[i] || (req.FailOnErrors > 0 && errs >= req.FailOnErrors) {
				continue
			}
			text := op.Path + "\x00" + string(op.Data)
			wait, bad := false, ""
			for _, m := range bulkRef.FindAllStringSubmatch(text, -1) {
				switch ref := m[1]; {
				case ids[ref] != "":
				case failed[ref] || !owners[ref]:
					bad = ref
				default:
					wait = true
				}
			}
			if wait && bad == "" {
				continue
			}
			done[i], progress = true, true
			var resp response
			if bad != "" {
				resp = errOf(scimErr(http.StatusConflict, "invalidValue", "bulkId:%s names no operation that succeeded", bad))
			} else {
				resp = s.bulkOne(op, bulkRef.ReplaceAllStringFunc(op.Path, func(m string) string { return ids[m[7:]] }),
					[]byte(bulkRef.ReplaceAllStringFunc(string(op.Data), func(m string) string { return ids[m[7:]] })))
			}
			results[i] = bulkResult(op, resp)
			if resp.status >= 400 {
				errs++
				if op.BulkID != "" {
					failed[op.BulkID] = true
				}
			} else if op.Method == http.MethodPost && op.BulkID != "" {
				if b, ok := resp.body.(map[string]any); ok {
					ids[op.BulkID], _ = b["id"].(string)
				}
			}
		}
	}
	for i, op := range req.Operations { // circular references
		if !done[i] && !(req.FailOnErrors > 0 && errs >= req.FailOnErrors) {
			results[i] = bulkResult(op, errOf(scimErr(http.StatusConflict, "invalidValue", "The bulkId references of this operation form a circle")))
			errs++
		}
	}
	out := []any{}
	for _, r := range results {
		if r != nil {
			out = append(out, r)
		}
	}
	return ok(map[string]any{"schemas": []string{scimBulkRespURN}, "Operations": out})
}

// bulkOne runs one operation through the router.
func (s *Server) bulkOne(op bulkOp, path string, data []byte) response {
	m := strings.ToUpper(op.Method)
	if m != op.Method || (m != http.MethodPost && m != http.MethodPut && m != http.MethodPatch && m != http.MethodDelete) {
		return errOf(badRequest("invalidSyntax", "method %q is not one of POST, PUT, PATCH, DELETE", op.Method))
	}
	if m == http.MethodPost && op.BulkID == "" {
		return errOf(badRequest("invalidSyntax", "A POST in a Bulk request needs a bulkId"))
	}
	if !strings.HasPrefix(path, "/Users") && !strings.HasPrefix(path, "/Groups") {
		return errOf(badRequest("invalidPath", "path %q is not under /Users or /Groups", path))
	}
	return s.scimRoute(m, path, nil, data, op.Version, "")
}

func bulkResult(op bulkOp, resp response) map[string]any {
	r := map[string]any{"method": op.Method, "status": strconv.Itoa(max(resp.status, 200))}
	if op.BulkID != "" {
		r["bulkId"] = op.BulkID
	}
	if resp.status >= 400 {
		r["response"] = resp.body
		return r
	}
	if v := resp.headers["ETag"]; v != "" {
		r["version"] = v
	}
	if b, ok := resp.body.(map[string]any); ok {
		if meta, ok := b["meta"].(map[string]any); ok {
			r["location"] = meta["location"]
		}
	}
	return r
}
