package journal

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Redacted replaces every secret value in a journal body.
const Redacted = "[redacted]"

// secretKeys are the JSON keys, case-folded, whose values are secrets:
// credentials, MFA answers (and the choices a multiple-choice round
// offers, one of which is the answer), authorize tokens and keys.
// Everything under them is redacted, keys of objects (the prompts of
// SecurityResponses) excepted.
var secretKeys = map[string]bool{
	"password": true, "securityresponses": true, "answer": true, "answers": true, "iterables": true,
	"authorizetoken": true, "token": true, "secret": true, "apikey": true, "x-api-key": true, "flinks-auth-key": true,
}

// prepare turns an entry's raw bodies into what the journal keeps, and
// fills the ids and FlinksCode the bodies name.
func prepare(e *Entry) {
	var req, resp map[string]any
	e.RequestBody, req = keep(e.rawRequest, e.requestSize)
	e.ResponseBody, resp = keep(e.rawResponse, e.responseSize)
	e.rawRequest, e.rawResponse = nil, nil
	if e.RequestID == "" {
		e.RequestID = field(resp, "RequestId")
	}
	if e.RequestID == "" {
		e.RequestID = field(req, "RequestId")
	}
	if e.LoginID == "" {
		if login, ok := lookup(resp, "Login").(map[string]any); ok {
			e.LoginID = field(login, "Id")
		}
	}
	if e.LoginID == "" {
		e.LoginID = field(req, "LoginId")
	}
	if e.FlinksCode == "" {
		e.FlinksCode = field(resp, "FlinksCode")
	}
}

// keep returns the body to keep, redacted, and its object: nil for no
// body; a note of its size for a body that is too large or not JSON,
// which cannot be redacted and so is not kept (a malformed Authorize
// body may hold a password).
func keep(raw []byte, size int) ([]byte, map[string]any) {
	if size == 0 {
		return nil, nil
	}
	if size > MaxBody || len(raw) < size {
		return note("over the journal's "+strconv.Itoa(MaxBody>>10)+" KiB", size), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return note("not JSON", size), nil
	}
	v = redact(v, false)
	out, err := json.Marshal(v)
	if err != nil {
		return note("not JSON", size), nil
	}
	obj, _ := v.(map[string]any)
	return out, obj
}

func note(why string, size int) []byte {
	b, _ := json.Marshal(map[string]any{"bankfeed_journal": "body not kept: " + why, "bytes": size})
	return b
}

// redact replaces the secrets in v; secret says v is under a secret key.
func redact(v any, secret bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			x[k] = redact(val, secret || secretKeys[strings.ToLower(k)])
		}
		return x
	case []any:
		for i, val := range x {
			x[i] = redact(val, secret)
		}
		return x
	case nil:
		return nil
	}
	if secret {
		return Redacted
	}
	return v
}

// lookup reads a key of an object, case-insensitively as Flinks clients
// send them.
func lookup(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func field(m map[string]any, key string) string {
	s, _ := lookup(m, key).(string)
	return strings.TrimSpace(s)
}
