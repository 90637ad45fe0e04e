// Package authorize runs bankfeed's Authorize conversations: a live login
// with credentials and its MFA rounds, the live and cached reopen of a saved
// login, and AuthorizeMultiple. Each request moves the session's pure state
// machine (package session) one or more steps, calls the institution's
// connector, seals what must be kept (package secrets), and persists the
// transition in one store transaction, so that any server process can
// continue a conversation, and a restart loses none.
//
// It returns results, not wire bodies: package httpapi builds the 200 and
// 203 responses from a Result.
package authorize
