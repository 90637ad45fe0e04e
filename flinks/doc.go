// Package flinks holds the wire types of the Flinks v3 BankingServices API:
// request and response bodies, security challenges, links and FlinksCode
// values. The server and the Go SDK share them, so what one sends is exactly
// what the other reads.
//
// Request types decode leniently, as real Flinks clients require: JSON keys
// match case-insensitively (encoding/json does this for struct fields),
// unknown keys are ignored, booleans may arrive as strings ("true", "False",
// "" for unset) and a security response may be a bare string instead of a
// list. Responses are encoded exactly: PascalCase keys, lower-case keys inside
// Links, and HttpStatusCode in every body.
//
// The package imports only the standard library.
package flinks
