package httpapi

import (
	"net/http"
)

// writeJSON writes v with the given status. It marshals before writing the
// header, so a value that cannot be encoded becomes a 500 and never a
// half-written 200.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = w.Write(body)
	return err
}
