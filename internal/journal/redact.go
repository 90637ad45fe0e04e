package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Redacted replaces every secret value in a journal body.
const Redacted = "[redacted]"

// redactedJSON is Redacted as a JSON string.
var redactedJSON = []byte(`"` + Redacted + `"`)

// secretKeys are the JSON keys whose values are secrets: credentials, MFA
// answers (and the choices a multiple-choice round offers, one of which is
// the answer), authorize tokens and keys. A key is one of them when it
// equals one under Unicode case folding, as Flinks clients send keys in
// any case. Everything under them is redacted, keys of objects (the
// prompts of SecurityResponses) excepted.
var secretKeys = [][]byte{
	[]byte("password"), []byte("securityresponses"), []byte("answer"), []byte("answers"), []byte("iterables"),
	[]byte("authorizetoken"), []byte("token"), []byte("secret"), []byte("apikey"), []byte("x-api-key"), []byte("flinks-auth-key"),
}

func isSecret(key []byte) bool {
	ascii := isASCII(key)
	for _, k := range secretKeys {
		if foldEqual(key, k, ascii) {
			return true
		}
	}
	return false
}

// foldEqual is bytes.EqualFold(key, name), for a name in ASCII: an ASCII
// key of another length cannot equal it, whereas a key with other
// characters may (the Kelvin sign folds to k).
func foldEqual(key, name []byte, ascii bool) bool {
	return (len(key) == len(name) || !ascii) && bytes.EqualFold(key, name)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// prepare turns an entry's raw bodies into what the journal keeps, and
// fills the ids and FlinksCode the bodies name.
func prepare(e *Entry) {
	var req, resp named
	e.RequestBody, req = keep(e.rawRequest, e.requestSize)
	e.ResponseBody, resp = keep(e.rawResponse, e.responseSize)
	e.rawRequest, e.rawResponse = nil, nil
	if e.RequestID == "" {
		e.RequestID = resp.requestID.value()
	}
	if e.RequestID == "" {
		e.RequestID = req.requestID.value()
	}
	if e.LoginID == "" {
		e.LoginID = resp.loginIDOfLogin.value()
	}
	if e.LoginID == "" {
		e.LoginID = req.loginID.value()
	}
	if e.FlinksCode == "" {
		e.FlinksCode = resp.flinksCode.value()
	}
}

// keep returns the body to keep, redacted, and what its top level names:
// nil for no body; a note of its size for a body that is too large or not
// JSON, which cannot be redacted and so is not kept (a malformed Authorize
// body may hold a password).
func keep(raw []byte, size int) ([]byte, named) {
	if size == 0 {
		return nil, named{}
	}
	if size > MaxBody || len(raw) < size {
		return note("over the journal's "+strconv.Itoa(MaxBody>>10)+" KiB", size), named{}
	}
	// Validated whole first, so that the redactor below never meets a
	// malformed body and never keeps a part of one.
	if !json.Valid(raw) {
		return note("not JSON", size), named{}
	}
	out, n, err := redactJSON(raw)
	if err != nil {
		return note("not JSON", size), named{}
	}
	return out, n
}

func note(why string, size int) []byte {
	b, _ := json.Marshal(map[string]any{"bankfeed_journal": "body not kept: " + why, "bytes": size})
	return b
}

// named is what a body names at its top level, where Flinks bodies carry
// them: RequestId, LoginId, FlinksCode, and the Id of its Login.
type named struct {
	requestID, loginID, flinksCode, loginIDOfLogin match
}

// match is the value of a key, looked up as Flinks clients write keys: the
// exact key if the object has it (the last, if twice), else the first
// that equals it in another case. A value that is not a string is "".
type match struct {
	exact, folded       string
	hasExact, hasFolded bool
}

func (m *match) value() string {
	if m.hasExact {
		return strings.TrimSpace(m.exact)
	}
	return strings.TrimSpace(m.folded)
}

func (m *match) set(v string, exact bool) {
	switch {
	case exact:
		m.exact, m.hasExact = v, true
	case !m.hasFolded:
		m.folded, m.hasFolded = v, true
	}
}

// wanted is a key of an object whose value to note: a string, or, with
// inner, the string under inner in an object.
type wanted struct {
	key   string
	m     *match
	inner string
}

// find returns the wanted key equals, exactly or under case folding.
func find(key []byte, want []wanted) (w *wanted, exact bool) {
	for i := range want {
		if string(key) == want[i].key {
			return &want[i], true
		}
	}
	ascii := isASCII(key)
	for i := range want {
		if foldEqual(key, []byte(want[i].key), ascii) {
			return &want[i], false
		}
	}
	return nil, false
}

var errNotJSON = errors.New("journal: not JSON")

// redactJSON returns raw, a JSON value that json.Valid accepts, compacted,
// with every secret replaced by Redacted, and what its top level names.
// It copies rather than decodes and encodes again: keys keep their order,
// numbers their digits, and a body costs about one buffer. A string with
// an escape or a byte that is not UTF-8 is written again as encoding/json
// writes it, so that an id escaped in a body is still found, and
// replaced, when its login is deleted (scrub).
func redactJSON(raw []byte) ([]byte, named, error) {
	r := redactor{in: raw, out: make([]byte, 0, len(raw))}
	var n named
	top := []wanted{{key: "RequestId", m: &n.requestID}, {key: "LoginId", m: &n.loginID},
		{key: "FlinksCode", m: &n.flinksCode}, {key: "Login", m: &n.loginIDOfLogin, inner: "Id"}}
	r.space()
	if err := r.value(false, top); err != nil {
		return nil, named{}, err
	}
	r.space()
	if r.pos != len(r.in) {
		return nil, named{}, errNotJSON
	}
	return r.out, n, nil
}

// redactor copies one JSON value from in to out.
type redactor struct {
	in  []byte
	pos int
	out []byte
}

func (r *redactor) space() {
	for r.pos < len(r.in) && isSpace(r.in[r.pos]) {
		r.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// value copies the value at pos, redacted if secret. If it is an object,
// the values of its keys that want names are noted.
func (r *redactor) value(secret bool, want []wanted) error {
	if r.pos >= len(r.in) {
		return errNotJSON
	}
	switch r.in[r.pos] {
	case '{':
		return r.object(secret, want)
	case '[':
		return r.array(secret)
	case '"':
		tok, err := r.stringToken()
		if err != nil {
			return err
		}
		if secret {
			r.out = append(r.out, redactedJSON...)
			return nil
		}
		return r.appendString(tok)
	}
	// A number, true, false or null: up to the next delimiter.
	start := r.pos
	for r.pos < len(r.in) && !isSpace(r.in[r.pos]) && r.in[r.pos] != ',' && r.in[r.pos] != '}' && r.in[r.pos] != ']' {
		r.pos++
	}
	lit := r.in[start:r.pos]
	switch {
	case len(lit) == 0:
		return errNotJSON
	case secret && string(lit) != "null":
		r.out = append(r.out, redactedJSON...)
	default:
		r.out = append(r.out, lit...)
	}
	return nil
}

func (r *redactor) object(secret bool, want []wanted) error {
	return r.container('}', func() error {
		tok, err := r.stringToken()
		if err != nil {
			return err
		}
		key, err := unquote(tok)
		if err != nil {
			return err
		}
		if err := r.appendString(tok); err != nil {
			return err
		}
		r.space()
		if r.pos >= len(r.in) || r.in[r.pos] != ':' {
			return errNotJSON
		}
		r.pos++
		r.out = append(r.out, ':')
		r.space()
		sub := secret || isSecret(key)
		if w, exact := find(key, want); w != nil && !sub {
			return r.noted(w, exact)
		}
		return r.value(sub, nil)
	})
}

func (r *redactor) array(secret bool) error {
	return r.container(']', func() error { return r.value(secret, nil) })
}

// container copies the object or array whose opening is at pos, up to
// its close; member copies one member, at pos, and the separators are
// copied between them.
func (r *redactor) container(close byte, member func() error) error {
	r.out = append(r.out, r.in[r.pos])
	r.pos++
	r.space()
	if r.pos < len(r.in) && r.in[r.pos] == close {
		r.pos++
		r.out = append(r.out, close)
		return nil
	}
	for {
		r.space()
		if err := member(); err != nil {
			return err
		}
		r.space()
		if r.pos >= len(r.in) {
			return errNotJSON
		}
		switch r.in[r.pos] {
		case ',':
			r.pos++
			r.out = append(r.out, ',')
		case close:
			r.pos++
			r.out = append(r.out, close)
			return nil
		default:
			return errNotJSON
		}
	}
}

// noted copies the value at pos and notes it in w's match.
func (r *redactor) noted(w *wanted, exact bool) error {
	start := r.pos
	switch c := r.in[r.pos]; {
	case w.inner != "" && c == '{':
		var inner match
		if err := r.value(false, []wanted{{key: w.inner, m: &inner}}); err != nil {
			return err
		}
		w.m.set(inner.value(), exact)
		return nil
	case w.inner == "" && c == '"':
		if err := r.value(false, nil); err != nil {
			return err
		}
		s, err := unquote(r.in[start:r.pos])
		if err != nil {
			return err
		}
		w.m.set(string(s), exact)
		return nil
	}
	w.m.set("", exact)
	return r.value(false, nil)
}

// stringToken returns the string at pos, quotes included, and moves past it.
func (r *redactor) stringToken() ([]byte, error) {
	if r.pos >= len(r.in) || r.in[r.pos] != '"' {
		return nil, errNotJSON
	}
	for i := r.pos + 1; i < len(r.in); i++ {
		switch r.in[i] {
		case '\\':
			i++
		case '"':
			tok := r.in[r.pos : i+1]
			r.pos = i + 1
			return tok, nil
		}
	}
	return nil, errNotJSON
}

// appendString copies a string token: as it is, unless it holds an escape
// or is not UTF-8, when it is written as encoding/json writes its value.
func (r *redactor) appendString(tok []byte) error {
	if bytes.IndexByte(tok, '\\') < 0 && utf8.Valid(tok) {
		r.out = append(r.out, tok...)
		return nil
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return errNotJSON
	}
	b, err := json.Marshal(s)
	if err != nil {
		return errNotJSON
	}
	r.out = append(r.out, b...)
	return nil
}

// unquote returns the value of a string token: its bytes, without copying,
// unless it holds an escape.
func unquote(tok []byte) ([]byte, error) {
	if bytes.IndexByte(tok, '\\') < 0 {
		return tok[1 : len(tok)-1], nil
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return nil, errNotJSON
	}
	return []byte(s), nil
}
