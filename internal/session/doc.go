// Package session is the pure state machine of a bankfeed session (a
// RequestId): its conversation states, the fetch of data that follows an
// authorization, every event that moves it, and the one rule of expiry.
// Step is (state, event, now) -> next state, with no I/O: the packages
// around it call the connectors and persist each transition. Match pairs a
// client's SecurityResponses with the challenges asked.
package session
