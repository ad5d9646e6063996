package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// routeOf names a call for the stats: ids become {id}.
func routeOf(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 0 && parts[0] != "community" && parts[0] != "" {
		parts[0] = "{id}"
	}
	return method + " /" + strings.Join(parts, "/")
}

// form reads single values from url.Values-like maps.
type form map[string][]string

func (f form) get(k string) string {
	if v := f[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (f form) params() params {
	p := params{}
	for k, v := range f {
		if k == "access_token" || len(v) == 0 {
			continue
		}
		p[k] = v[0]
	}
	return p
}

func ok(body any) response { return response{status: http.StatusOK, body: body} }

var success = map[string]any{"success": true}

// route dispatches one call.
func (s *Server) route(method, path string, f form, r *http.Request) response {
	switch path {
	case "/community/accounts":
		if method == http.MethodPost {
			id, err := s.store.create(f.params())
			if err != nil {
				return errResponse(err)
			}
			return ok(map[string]string{"id": id})
		}
	case "/community/members":
		if method == http.MethodGet {
			active := true
			return s.list(f, r, &active)
		}
	case "/community/organization_members":
		if method == http.MethodGet {
			if f.get("inactive") == "1" || f.get("inactive") == "true" {
				inactive := false
				return s.list(f, r, &inactive)
			}
			return s.list(f, r, nil)
		}
	case "/community/people_sets":
		switch method {
		case http.MethodGet:
			return s.listPeopleSets(f)
		case http.MethodPost:
			return s.createPeopleSet(f)
		}
	case "/":
		if method == http.MethodGet && f.get("ids") != "" {
			return s.getMany(f)
		}
	default:
		parts := strings.Split(strings.Trim(path, "/"), "/")
		id, _ := url.PathUnescape(parts[0])
		if len(parts) == 1 {
			return s.object(method, id, f)
		}
		if len(parts) == 2 && method == http.MethodPost {
			return s.edge(id, parts[1], f, r)
		}
	}
	return errResponse(unsupported(method, path))
}

func (s *Server) object(method, id string, f form) response {
	if ps, isSet := s.store.getSet(id); isSet {
		switch method {
		case http.MethodGet:
			return ok(renderSet(ps, f.get("fields")))
		case http.MethodPost:
			name, conds, err := setBody(f)
			if err != nil {
				return errResponse(err)
			}
			if err := s.store.updateSet(id, name, conds); err != nil {
				return errResponse(err)
			}
			return ok(map[string]string{"success": "true"})
		case http.MethodDelete:
			if err := s.store.delete(id); err != nil {
				return errResponse(err)
			}
			return ok(map[string]string{"success": "true"})
		}
	}
	switch method {
	case http.MethodGet:
		a, err := s.store.get(id)
		if err != nil {
			return errResponse(err)
		}
		fields, ferr := memberFields(f.get("fields"))
		if ferr != nil {
			return errResponse(ferr)
		}
		return ok(s.render(a, fields))
	case http.MethodPost:
		if err := s.store.update(id, f.params()); err != nil {
			return errResponse(err)
		}
		return ok(success)
	case http.MethodDelete:
		if err := s.store.delete(id); err != nil {
			return errResponse(err)
		}
		return ok(success)
	}
	return errResponse(unsupported(method, "/"+id))
}

func (s *Server) edge(id, edge string, f form, r *http.Request) response {
	var err *gerr
	switch edge {
	case "phones":
		err = s.store.addPhone(id, Phone{Number: f.get("number"), Type: f.get("type"), Primary: f.get("primary") == "true"})
	case "profile_pictures":
		err = s.picture(id, f, r)
	case "remove_profile_information":
		err = s.store.removeProfileInformation(id)
	default:
		return errResponse(unsupported(http.MethodPost, "/"+id+"/"+edge))
	}
	if err != nil {
		return errResponse(err)
	}
	return ok(success)
}

func (s *Server) picture(id string, f form, r *http.Request) *gerr {
	if u := f.get("image_url"); u != "" {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") {
			return invalidParam(SubInvalidValue, "image_url must be an http(s) URL")
		}
		l := strings.ToLower(pu.Path)
		if !strings.HasSuffix(l, ".jpg") && !strings.HasSuffix(l, ".jpeg") && !strings.HasSuffix(l, ".png") {
			return invalidParam(SubInvalidValue, "The picture must be a jpg or png image")
		}
		return s.store.setPicture(id, u)
	}
	if r == nil || r.MultipartForm == nil || len(r.MultipartForm.File["image_data"]) == 0 {
		return invalidParam(SubInvalidValue, "Give image_url or a multipart image_data file")
	}
	fh := r.MultipartForm.File["image_data"][0]
	if fh.Size > MaxUploadBytes {
		return &gerr{status: http.StatusRequestEntityTooLarge, Type: "OAuthException", Code: 100, Subcode: SubInvalidValue,
			Message: fmt.Sprintf("(#100) The picture is larger than the %d KiB the service accepts", MaxUploadBytes>>10)}
	}
	file, err := fh.Open()
	if err != nil {
		return invalidParam(SubInvalidValue, "cannot read image_data")
	}
	defer file.Close()
	head := make([]byte, 8)
	n, _ := file.Read(head)
	head = head[:n]
	isJPEG := len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF
	isPNG := strings.HasPrefix(string(head), "\x89PNG")
	if !isJPEG && !isPNG {
		return invalidParam(SubInvalidValue, "The picture must be a jpg or png image")
	}
	return s.store.setPicture(id, "upload:"+fh.Filename)
}

// MemberFields are the fields and edges the Member node documents
// (API-NOTES.md). Asking for any other is error 100, as Graph answers it.
var MemberFields = []string{"id", "name", "first_name", "last_name", "email", "title", "department", "division",
	"organization", "cost_center", "external_id", "work_locale", "locale", "active", "frontline", "start_date",
	"primary_phone", "account_invite_time", "account_claim_time", "account_deactivate_time", "updated_time",
	"primary_address", "picture", "link", "name_format", "about", "claim_link", "access_code", "impersonate_token",
	"managers", "reports", "phones"}

var memberField = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range MemberFields {
		m[f] = true
	}
	return m
}()

// field is one name of a fields= list, with the subfields of an edge
// (managers{id,email}).
type field struct {
	name string
	sub  []field
}

// parseFields reads a fields= list, edges with {subfields} included.
func parseFields(v string) ([]field, error) {
	var out []field
	for len(v) > 0 {
		i := strings.IndexAny(v, ",{}")
		name := v
		if i >= 0 {
			name = v[:i]
		}
		f := field{name: strings.TrimSpace(name)}
		rest := ""
		if i >= 0 {
			rest = v[i:]
		}
		if strings.HasPrefix(rest, "{") {
			depth, j := 0, 0
			for j = 0; j < len(rest); j++ {
				if rest[j] == '{' {
					depth++
				} else if rest[j] == '}' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			if j == len(rest) {
				return nil, fmt.Errorf("unbalanced braces in fields")
			}
			sub, err := parseFields(rest[1:j])
			if err != nil {
				return nil, err
			}
			f.sub, rest = sub, rest[j+1:]
		} else if strings.HasPrefix(rest, "}") {
			return nil, fmt.Errorf("unbalanced braces in fields")
		}
		if f.name != "" {
			out = append(out, f)
		}
		v = strings.TrimPrefix(rest, ",")
	}
	return out, nil
}

// memberFields checks a fields= list against the Member node.
func memberFields(v string) ([]field, *gerr) {
	if v == "" {
		return []field{{name: "id"}, {name: "name"}}, nil
	}
	fs, err := parseFields(v)
	if err != nil {
		return nil, invalidParam(0, "%v", err)
	}
	if err := checkFields(fs, memberField, "User"); err != nil {
		return nil, err
	}
	return fs, nil
}

var phoneField = map[string]bool{"number": true, "type": true, "primary": true}

// checkFields checks names against a node's fields, and edges' subfields
// against the node they lead to.
func checkFields(fs []field, known map[string]bool, node string) *gerr {
	for _, f := range fs {
		if !known[f.name] {
			return invalidParam(0, "Tried accessing nonexisting field (%s) on node type (%s)", f.name, node)
		}
		if len(f.sub) == 0 {
			continue
		}
		var err *gerr
		switch f.name {
		case "managers", "reports":
			err = checkFields(f.sub, memberField, "User")
		case "phones":
			err = checkFields(f.sub, phoneField, "PhoneNumber")
		default:
			err = invalidParam(0, "Field %s is not an edge and takes no subfields", f.name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// render shows an account with the requested fields, as Graph does.
func (s *Server) render(a Account, fields []field) map[string]any {
	out := map[string]any{"id": a.ID}
	for _, fs := range fields {
		switch f := fs.name; f {
		case "id":
		case "name":
			out[f] = a.Name
		case "first_name", "last_name":
			first, last, _ := strings.Cut(a.Name, " ")
			if a.GivenName != "" || a.FamilyName != "" {
				first, last = a.GivenName, a.FamilyName
			}
			if f == "first_name" {
				out[f] = first
			} else {
				out[f] = last
			}
		case "email":
			setIf(out, f, a.Email)
		case "external_id":
			setIf(out, f, a.ExternalID)
		case "title":
			setIf(out, f, a.Title)
		case "department":
			setIf(out, f, a.Department)
		case "division":
			setIf(out, f, a.Division)
		case "organization":
			setIf(out, f, a.Organization)
		case "cost_center":
			setIf(out, f, a.CostCenter)
		case "work_locale", "locale":
			setIf(out, f, a.WorkLocale)
		case "start_date":
			setIf(out, f, a.StartDate)
		case "active":
			out[f] = a.Active
		case "frontline":
			out[f] = map[string]bool{"is_frontline": a.IsFrontline, "has_access": a.HasAccess}
		case "picture":
			setIf(out, f, a.Picture)
		case "primary_phone":
			for _, p := range a.Phones {
				if p.Primary {
					out[f] = p.Number
				}
			}
		case "phones":
			data := []map[string]any{}
			for _, p := range a.Phones {
				data = append(data, map[string]any{"number": p.Number, "type": p.Type, "primary": p.Primary})
			}
			out[f] = map[string]any{"data": data}
		case "managers", "reports":
			var people []Account
			if f == "managers" && a.Manager != "" {
				if m, err := s.store.get(a.Manager); err == nil {
					people = append(people, m)
				}
			} else if f == "reports" {
				people = s.store.reportsOf(a.ID)
			}
			sub := fs.sub
			if len(sub) == 0 {
				sub = []field{{name: "id"}, {name: "name"}}
			}
			data := []map[string]any{}
			for _, m := range people {
				data = append(data, s.render(m, sub))
			}
			out[f] = map[string]any{"data": data}
		case "account_invite_time":
			setTime(out, f, a.InvitedAt)
		case "account_claim_time":
			setTime(out, f, a.ClaimedAt)
		case "account_deactivate_time":
			setTime(out, f, a.DeactivateAt)
		case "updated_time":
			setTime(out, f, a.UpdatedAt)
		}
	}
	return out
}

func setIf(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func setTime(m map[string]any, k string, t time.Time) {
	if !t.IsZero() {
		m[k] = t.UTC().Format("2006-01-02T15:04:05-0700")
	}
}

func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("pos:" + strconv.Itoa(i)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "pos:") {
		return 0, false
	}
	i, err := strconv.Atoi(string(b[4:]))
	return i, err == nil && i >= 0
}

func (s *Server) list(f form, r *http.Request, active *bool) response {
	limit := s.cfg.PageCap
	if v := f.get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return errResponse(invalidParam(SubInvalidValue, "limit must be a positive number"))
		}
		limit = min(n, s.cfg.PageCap)
	}
	filter := listFilter{active: active, limit: limit}
	if c := f.get("after"); c != "" {
		i, ok := decodeCursor(c)
		if !ok {
			return errResponse(invalidParam(SubInvalidValue, "Invalid cursor %q", c))
		}
		filter.afterIdx = i
	}
	if v := f.get("external_ids"); v != "" {
		filter.extIDs = map[string]bool{}
		for _, id := range strings.Split(v, ",") {
			filter.extIDs[strings.TrimSpace(id)] = true
		}
	}
	fields, ferr := memberFields(f.get("fields"))
	if ferr != nil {
		return errResponse(ferr)
	}
	page, next := s.store.list(filter)
	data := make([]map[string]any, len(page))
	for i, a := range page {
		data[i] = s.render(a, fields)
	}
	body := map[string]any{"data": data}
	paging := map[string]any{"cursors": map[string]string{"before": encodeCursor(filter.afterIdx), "after": encodeCursor(max(next, 0))}}
	if next >= 0 && r != nil {
		q := url.Values{}
		for k, v := range f {
			if k != "access_token" && k != "after" {
				q[k] = v
			}
		}
		q.Set("after", encodeCursor(next))
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		paging["next"] = fmt.Sprintf("%s://%s%s?%s", scheme, r.Host, r.URL.Path, q.Encode())
	}
	body["paging"] = paging
	return ok(body)
}

func (s *Server) getMany(f form) response {
	ids := strings.Split(f.get("ids"), ",")
	if len(ids) > 50 {
		return errResponse(invalidParam(SubInvalidValue, "Too many ids: at most 50"))
	}
	fields, ferr := memberFields(f.get("fields"))
	if ferr != nil {
		return errResponse(ferr)
	}
	out := map[string]any{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		a, err := s.store.get(id)
		if err != nil {
			continue // Graph leaves unknown ids out... of a partial answer
		}
		out[id] = s.render(a, fields)
	}
	if len(out) == 0 {
		return errResponse(notFound(f.get("ids")))
	}
	return ok(out)
}

func setBody(f form) (string, []Condition, *gerr) {
	name := f.get("name")
	var conds []Condition
	if v := f.get("conditions"); v != "" {
		if err := json.Unmarshal([]byte(v), &conds); err != nil {
			return "", nil, invalidParam(SubPeopleSet, "conditions must be a JSON array of {field, operator, values}")
		}
		if conds == nil {
			conds = []Condition{}
		}
	}
	return name, conds, nil
}

func (s *Server) createPeopleSet(f form) response {
	name, conds, err := setBody(f)
	if err != nil {
		return errResponse(err)
	}
	id, err := s.store.createSet(name, conds)
	if err != nil {
		return errResponse(err)
	}
	return ok(map[string]string{"id": id})
}

func (s *Server) listPeopleSets(f form) response {
	sets := s.store.listSets(f.get("name"))
	data := make([]map[string]any, len(sets))
	for i, ps := range sets {
		data[i] = renderSet(ps, f.get("fields"))
	}
	return ok(map[string]any{"data": data})
}

func renderSet(ps PeopleSet, fields string) map[string]any {
	out := map[string]any{"id": ps.ID, "name": ps.Name}
	if fields == "" || strings.Contains(fields, "conditions") {
		out["conditions"] = ps.Conditions
	}
	return out
}
