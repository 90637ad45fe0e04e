package flinks

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Bool is a boolean request field. It encodes as a JSON boolean and decodes
// from a JSON boolean, a string ("true", "True", "false", ...) or null; the
// empty string means unset and decodes as false. The C# SDK sends several
// booleans as strings, and the docs print "MostRecentCached": "true".
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bool) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch string(data) {
	case "true":
		*b = true
		return nil
	case "false", "null":
		*b = false
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return &ValueError{Want: "a boolean", Got: abbreviate(data)}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*b = false
		return nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return &ValueError{Want: "a boolean", Got: abbreviate(data)}
	}
	*b = Bool(v)
	return nil
}

// SecurityResponses maps each challenge prompt to the user's answers. Values
// decode from a list of strings, a bare string (a one-element list), or null
// (no answer). Numbers inside a list are read as their literal text, so a
// security code sent as 123456 is the answer "123456".
type SecurityResponses map[string][]string

// UnmarshalJSON implements json.Unmarshaler.
func (r *SecurityResponses) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		*r = nil
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return &ValueError{Field: "SecurityResponses", Want: "an object of prompt to answers"}
	}
	out := make(SecurityResponses, len(raw))
	for prompt, v := range raw {
		answers, err := decodeAnswers(v)
		if err != nil {
			// The value is an answer, a secret: the error names only the prompt.
			return &ValueError{Field: "SecurityResponses[" + strconv.Quote(prompt) + "]", Want: "a list of strings"}
		}
		out[prompt] = answers
	}
	*r = out
	return nil
}

func decodeAnswers(v json.RawMessage) ([]string, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return nil, nil
	}
	switch v[0] {
	case '"':
		var s string
		err := json.Unmarshal(v, &s)
		return []string{s}, err
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return nil, err
		}
		answers := make([]string, 0, len(items))
		for _, it := range items {
			s, err := answerText(it)
			if err != nil {
				return nil, err
			}
			answers = append(answers, s)
		}
		return answers, nil
	default:
		s, err := answerText(v)
		return []string{s}, err
	}
}

func answerText(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// ValueError reports a request field whose JSON value has the wrong shape.
type ValueError struct {
	Field string // the field's name, when known
	Want  string // what was expected, e.g. "a boolean"
	Got   string // the value received, shortened; empty for values that may be secret
}

func (e *ValueError) Error() string {
	msg := "expected " + e.Want
	if e.Got != "" {
		msg += ", got " + e.Got
	}
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	return msg
}

// abbreviate shortens a raw JSON value for an error message.
func abbreviate(data []byte) string {
	const max = 40
	s := strings.ToValidUTF8(string(bytes.TrimSpace(data)), "")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "..."
	}
	return s
}
