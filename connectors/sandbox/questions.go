package sandbox

import (
	"context"
	"encoding/json"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// Questions implements connector.QuestionLister: the security questions of
// every step the user's conversations can reach (first logins, reopens,
// rotations, and where wrong answers lead). Choices, patterns (codes) and
// two-step rounds are not questions one can answer ahead of time.
func (c *Connector) Questions(ctx context.Context, req connector.QuestionsRequest) ([]string, error) {
	var st state
	if err := json.Unmarshal(req.State, &st); err != nil {
		return nil, connector.Errorf(connector.Failed, "The sandbox could not read the login state.")
	}
	sc := c.byName[fold(st.Institution)]
	if sc == nil {
		return nil, connector.Errorf(connector.Failed, "The login state names an institution the sandbox does not serve.")
	}
	u := sc.user(st.User)
	if u == nil {
		return nil, connector.Errorf(connector.Failed, "The login state names a user the sandbox does not know.")
	}
	starts := append([]string{u.Flow, u.Reopen}, u.Rotate...)
	seen := map[string]bool{}
	var out []string
	var visit func(name string)
	visit = func(name string) {
		step := sc.Steps[name]
		if step == nil || seen[name] {
			return
		}
		seen[name] = true
		for _, ch := range step.Challenges {
			if ch.Type == flinks.QuestionAndAnswer && len(ch.Iterables) == 0 && ch.pattern == nil && !step.TwoStep {
				out = append(out, ch.Prompt.In(req.Language))
			}
		}
		visit(step.Next)
		visit(step.OnWrong)
	}
	for _, s := range starts {
		visit(s)
	}
	return out, nil
}
