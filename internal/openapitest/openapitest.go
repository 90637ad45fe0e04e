// Package openapitest holds HTTP traffic to bankfeed's OpenAPI document
// (internal/httpapi/openapi.json): a RoundTripper for tests that validates
// every request it sends and every response it receives with kin-openapi's
// openapi3filter, and reports each mismatch as a test error. The end-to-end
// tests send all their traffic through it, so that a response drifting from
// the document fails a test.
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/bankfeed/bankfeed/internal/httpapi"
)

// Reporter is where mismatches go: a *testing.T.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Document is bankfeed's OpenAPI document, loaded, with its router.
type Document struct {
	doc    *openapi3.T
	router routers.Router
	// unrouted is the schema of the answer to a request no route matches.
	unrouted *openapi3.Schema
}

// load parses the document once per test binary: it is immutable, and
// every server a test starts validates against the same one.
var load = sync.OnceValues(func() (*Document, error) {
	return Parse(httpapi.OpenAPI())
})

// Load returns bankfeed's OpenAPI document.
func Load() (*Document, error) { return load() }

// Parse loads an OpenAPI document from its JSON and checks that it is valid;
// the tests that break a document on purpose use it.
func Parse(data []byte) (*Document, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapitest: the document does not parse: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapitest: the document is not valid: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapitest: %w", err)
	}
	d := &Document{doc: doc, router: router}
	if doc.Components == nil {
		return nil, errors.New("openapitest: the document has no components")
	}
	if r := doc.Components.Responses["Unrouted"]; r != nil && r.Value != nil {
		if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			d.unrouted = mt.Schema.Value
		}
	}
	if d.unrouted == nil {
		return nil, errors.New("openapitest: the document has no components.responses.Unrouted")
	}
	return d, nil
}

type badInputKey struct{}

// BadInput marks the requests made with ctx as not following the document
// on purpose (malformed JSON, a field of the wrong type, an unknown path):
// their responses are validated, the requests themselves are not. Use it
// for exactly the requests a test sends wrong, never for a whole test.
func BadInput(ctx context.Context) context.Context {
	return context.WithValue(ctx, badInputKey{}, true)
}

func isBadInput(ctx context.Context) bool {
	v, _ := ctx.Value(badInputKey{}).(bool)
	return v
}

// Transport returns a RoundTripper that sends requests through next
// (http.DefaultTransport when nil) and reports to r every request and
// response that the document does not describe.
func (d *Document) Transport(r Reporter, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{doc: d, r: r, next: next}
}

type transport struct {
	doc  *Document
	r    Reporter
	next http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	reqBody, err := readBody(&req.Body)
	if err != nil {
		return nil, err
	}
	bad := isBadInput(req.Context())
	// bankfeed routes BankingServices operations case-insensitively; the
	// document spells them canonically, so the validator sees the path
	// the server routes.
	vreq := req.Clone(req.Context())
	vreq.URL.Path, vreq.URL.RawPath = httpapi.CanonicalPath(req.URL.Path), ""
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	what := req.Method + " " + req.URL.Path
	route, params, routeErr := t.doc.router.FindRoute(vreq)
	var input *openapi3filter.RequestValidationInput
	if routeErr == nil {
		input = &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: present, MultiError: true}}
		if !bad {
			if err := openapi3filter.ValidateRequest(req.Context(), input); err != nil {
				t.r.Helper()
				t.r.Errorf("openapi: request %s does not follow the document: %v\nbody: %s", what, err, abbreviate(reqBody))
			}
		}
	} else if !bad {
		t.r.Helper()
		t.r.Errorf("openapi: request %s: the document describes no such operation (%v); "+
			"describe the route in the document, or mark a deliberately wrong request with openapitest.BadInput", what, routeErr)
	}
	res, err := t.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	resBody, err := readBody(&res.Body)
	if err != nil {
		return nil, err
	}
	if input != nil {
		input.Request.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	t.doc.checkResponse(req.Context(), t.r, what, input, res.StatusCode, res.Header, resBody)
	return res, nil
}

// CheckResponse reports to r a response that the document does not
// describe, given the request it answers (whose body is not read, nor
// validated): for tests that drive a handler in-process with requests that
// are wrong on purpose, such as fuzz targets.
func (d *Document) CheckResponse(r Reporter, req *http.Request, status int, header http.Header, body []byte) {
	vreq := req.Clone(req.Context())
	vreq.URL.Path, vreq.URL.RawPath = httpapi.CanonicalPath(req.URL.Path), ""
	vreq.Body = http.NoBody
	var input *openapi3filter.RequestValidationInput
	if route, params, err := d.router.FindRoute(vreq); err == nil {
		input = &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route}
	}
	r.Helper()
	d.checkResponse(req.Context(), r, req.Method+" "+req.URL.Path, input, status, header, body)
}

// checkResponse validates a response to the operation of input, or to no
// operation when input is nil.
func (d *Document) checkResponse(ctx context.Context, r Reporter, what string, input *openapi3filter.RequestValidationInput,
	status int, header http.Header, body []byte) {
	r.Helper()
	if input == nil {
		if err := d.validateUnrouted(header, body); err != nil {
			r.Errorf("openapi: response %d to %s (a path the document does not describe): %v\nbody: %s", status, what, err, abbreviate(body))
		}
		return
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: input, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		r.Errorf("openapi: response %d to %s does not follow the document: %v\nbody: %s", status, what, err, abbreviate(body))
	}
}

// validateUnrouted checks the answer to a request no operation matches
// against components.responses.Unrouted.
func (d *Document) validateUnrouted(header http.Header, body []byte) error {
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q, want application/json", ct)
	}
	var v any
	if err := decodeJSON(body, &v); err != nil {
		return err
	}
	return d.unrouted.VisitJSON(v, openapi3.EnableJSONSchema2020())
}

// present is the AuthenticationFunc of the validator: a credential the
// operation names must at least be there. Whether it is the right one is the
// server's to say (and the tests' to check); the document allows every
// operation without one, for the public sandbox customer.
func present(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, h := in.SecurityScheme, in.RequestValidationInput.Request.Header
	switch {
	case s.Type == "apiKey" && s.In == "header":
		if strings.TrimSpace(h.Get(s.Name)) == "" {
			return fmt.Errorf("no %s header", s.Name)
		}
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		if a := h.Get("Authorization"); len(a) < 8 || !strings.EqualFold(a[:7], "Bearer ") {
			return errors.New("no Authorization: Bearer header")
		}
	default:
		return fmt.Errorf("security scheme %s %s is not supported by the test validator", s.Type, s.Scheme)
	}
	return nil
}

// readBody reads *body whole and replaces it with a reader of the same
// bytes.
func readBody(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(*body)
	(*body).Close()
	if err != nil {
		return nil, err
	}
	*body = io.NopCloser(bytes.NewReader(data))
	return data, nil
}

func abbreviate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

func decodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return nil
}
