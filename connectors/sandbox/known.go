package sandbox

import (
	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// KnownAnswers returns answers that pass the challenge, as the institution's
// scenario lists them, or nil when it lists none (a pattern such as a
// SecurID's, a choice of question, a device approval, a text-or-call
// choice): what lets the control plane save a sandbox login without anyone
// answering. The challenge is matched by its type and its prompt, in
// either language.
func (c *Connector) KnownAnswers(institution string, ch connector.Challenge) []string {
	sc := c.byName[fold(institution)]
	if sc == nil {
		return nil
	}
	for _, step := range sc.Steps {
		for _, spec := range step.Challenges {
			if spec.Type != ch.Type || (spec.Prompt.En != ch.Prompt && spec.Prompt.Fr != ch.Prompt) || len(spec.Answers) == 0 {
				continue
			}
			if spec.Type == flinks.MultipleChoiceMultipleAnswers {
				// Every right option at once.
				return append([]string(nil), spec.Answers...)
			}
			return spec.Answers[:1]
		}
	}
	return nil
}
