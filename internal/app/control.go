package app

import (
	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/internal/reset"
)

// resetHooks are what a reset deletes beyond the store's own rows of a
// customer: each part of the control plane that keeps state per customer
// (the faults, for one) adds its hook here, run in the reset's
// transaction.
func (s *stack) resetHooks() []reset.Hook {
	return nil
}

// knownAnswers is the sandbox bank's KnownAnswers among conns, for the
// logins the control plane saves; nil when no sandbox bank is served.
func knownAnswers(conns []connector.Connector) func(string, connector.Challenge) []string {
	for _, c := range conns {
		if sb, ok := c.(*sandbox.Connector); ok {
			return sb.KnownAnswers
		}
	}
	return nil
}
