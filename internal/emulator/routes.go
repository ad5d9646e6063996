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
		return ok(s.render(a, fieldList(f.get("fields"))))
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

func fieldList(v string) []string {
	if v == "" {
		return []string{"id", "name"}
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// render shows an account with the requested fields, as Graph does.
func (s *Server) render(a Account, fields []string) map[string]any {
	out := map[string]any{"id": a.ID}
	for _, f := range fields {
		switch f {
		case "id":
		case "name":
			out[f] = a.Name
		case "first_name", "last_name":
			first, last, _ := strings.Cut(a.Name, " ")
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
		case "location":
			setIf(out, f, a.Location)
		case "work_locale", "locale":
			setIf(out, f, a.WorkLocale)
		case "auth_method":
			setIf(out, f, a.AuthMethod)
		case "start_date":
			setIf(out, f, a.StartDate)
		case "active":
			out[f] = a.Active
		case "invited":
			out[f] = a.Invited
		case "claimed":
			out[f] = a.Claimed
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
		case "managers":
			data := []map[string]string{}
			if a.Manager != "" {
				m, err := s.store.get(a.Manager)
				if err == nil {
					data = append(data, map[string]string{"id": m.ID, "name": m.Name})
				}
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
	page, next := s.store.list(filter)
	fields := fieldList(f.get("fields"))
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
	fields := fieldList(f.get("fields"))
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
