package httpapi

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is bankfeed's OpenAPI document: every route of routes.go
// with its bodies, statuses and FlinksCodes. It is generated from the wire
// types and the table of openapi_routes_test.go (docs/decisions/0008-openapi.md):
// `go test ./internal/httpapi -run TestOpenAPIDocument -update` rewrites it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns bankfeed's OpenAPI document, for the tests that validate
// traffic against it.
func OpenAPI() []byte { return openAPIDocument }

// handleOpenAPI serves the OpenAPI document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	_, err := w.Write(openAPIDocument)
	return err
}
