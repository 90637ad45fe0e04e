package httpapi_test

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"os"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/provision"
	"github.com/bankfeed/bankfeed/internal/reset"
	"github.com/bankfeed/bankfeed/internal/vclock"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the table of openapi_routes_test.go")

// TestOpenAPIDocument holds the committed document to what the table and
// the wire types generate, and checks that it is a valid OpenAPI document.
func TestOpenAPIDocument(t *testing.T) {
	want := marshalDocument(newDocGen().build(operations()))
	if *update {
		if err := os.WriteFile("openapi.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if !bytes.Equal(httpapi.OpenAPI(), want) {
		t.Fatal("openapi.json is not what the table and the wire types generate; run " +
			"go test ./internal/httpapi -run TestOpenAPIDocument -update")
	}
	doc, err := openapi3.NewLoader().LoadFromData(want)
	if err != nil {
		t.Fatalf("the document does not parse: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid: %v", err)
	}
	if doc.OpenAPIMajorMinor() != "3.1" {
		t.Errorf("openapi = %q, want 3.1", doc.OpenAPI)
	}
}

// TestOpenAPIRoutes checks that the document describes every route the
// server registers, and nothing else.
func TestOpenAPIRoutes(t *testing.T) {
	t.Parallel()
	// With every optional part of the control surface, so that its routes
	// are registered; the widget's pages (/v2/) are HTML, not API.
	served := httpapi.New(httpapi.Deps{Clock: &vclock.Clock{}, Reset: &reset.Service{}, Provision: &provision.Service{}}).Patterns()
	var described []string
	for _, op := range operations() {
		described = append(described, op.Pattern)
	}
	slices.Sort(served)
	slices.Sort(described)
	for _, p := range served {
		if !slices.Contains(described, p) {
			t.Errorf("route %q is not in the OpenAPI document: add it to openapi_routes_test.go", p)
		}
	}
	for _, p := range described {
		if !slices.Contains(served, p) {
			t.Errorf("the OpenAPI document describes %q, which no route serves", p)
		}
	}
	ids := map[string]bool{}
	for _, op := range operations() {
		if ids[op.ID] {
			t.Errorf("operationId %q is used twice", op.ID)
		}
		ids[op.ID] = true
	}
}

// TestOpenAPIStatuses holds the table's error statuses to the one table
// from FlinksCode to HTTP status (errors.go): a code is listed under its own
// status, but for the few answers that set another on purpose.
func TestOpenAPIStatuses(t *testing.T) {
	t.Parallel()
	// The answers whose status is not the code's: a body over the limit,
	// the database unavailable (docs/errors.md, choice 11), and the
	// sandbox control surface's missing deliveries and webhooks.
	elsewhere := map[int][]flinks.Code{
		http.StatusRequestEntityTooLarge: {flinks.CodeInvalidRequest},
		http.StatusServiceUnavailable:    {flinks.CodeRetryLater},
		http.StatusNotFound:              {flinks.CodeInvalidRequest},
		http.StatusConflict:              {flinks.CodeInvalidRequest},
	}
	for _, op := range operations() {
		for status, codes := range op.Errors {
			for _, c := range codes {
				if httpapi.StatusOf(c) != status && !slices.Contains(elsewhere[status], c) {
					t.Errorf("%s: %s listed under %d; errors.go answers it with %d", op.ID, c, status, httpapi.StatusOf(c))
				}
			}
		}
		for status := range op.OK {
			// /readyz's 503 is the one refusal with a body of its own.
			if op.ID == "Ready" && status == http.StatusServiceUnavailable {
				continue
			}
			if status < 200 || status > 299 || status == http.StatusAccepted {
				t.Errorf("%s: success status %d", op.ID, status)
			}
		}
	}
}
