// Package authorize is bankfeed's session engine: the /Authorize use cases
// (live login with credentials, MFA rounds, cached and live reopen of a saved
// login) over a pure state machine.
//
// Step is the state machine, (state, event, now) -> next state, with no I/O.
// Service calls the connectors, seals secrets with the vault, and persists
// each transition in one store transaction, so that any server process can
// continue a conversation, and a restart loses none.
package authorize
