package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
)

// DefaultMaxBody is the largest request body accepted unless configured
// otherwise: 1 MiB. The largest legitimate body, an answer to an
// image-selection round, is a few KiB.
const DefaultMaxBody = 1 << 20

// decodeBody reads the JSON object of a request into v, leniently: keys match
// case-insensitively and unknown keys are ignored (encoding/json's rules for
// structs), and an empty body reads as {}. It returns a *flinks.Error that
// says what is wrong: 413 for a body over the server's limit, INVALID_REQUEST
// for anything that is not one JSON object of the right field types.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &flinks.Error{HttpStatusCode: http.StatusRequestEntityTooLarge, FlinksCode: flinks.CodeInvalidRequest,
			Message: "The request body is larger than " + byteSize(s.maxBody) + "."}
	}
	if err != nil {
		return clientError(flinks.CodeInvalidRequest, "The request body could not be read.")
	}
	return decodeJSON(body, v)
}

// decodeJSON is the pure part of decodeBody, and the fuzz target's entry.
func decodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return clientError(flinks.CodeInvalidRequest, "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return clientError(flinks.CodeInvalidRequest, describe(err))
	}
	if dec.More() {
		return clientError(flinks.CodeInvalidRequest, "The request body must hold one JSON object and nothing after it.")
	}
	return nil
}

// describe explains a decoding error without echoing the values sent, which
// may be credentials.
func describe(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var value *flinks.ValueError
	switch {
	case errors.As(err, &syntax):
		// The offset, not the message: the message quotes a character of
		// the body, which may be part of a password.
		return "The request body is not valid JSON (at byte " + strconv.FormatInt(syntax.Offset, 10) + ")."
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the body"
		}
		return "Field " + field + " must be " + article(typ.Type.Kind().String()) + ", not " + typ.Value + "."
	case errors.As(err, &value):
		return "Invalid value: " + value.Error() + "."
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The request body is not valid JSON: it ends too early."
	}
	return "The request body is not valid JSON."
}

func article(kind string) string {
	switch kind {
	case "slice", "array":
		return "a list"
	case "map", "struct":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	}
	if strings.IndexAny(kind[:1], "aeiou") == 0 {
		return "an " + kind
	}
	return "a " + kind
}

// byteSize writes a body limit for people: "1 MiB", "64 KiB", "100 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
