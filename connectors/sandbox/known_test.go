package sandbox_test

import (
	"slices"
	"testing"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/flinks"
)

func TestKnownAnswers(t *testing.T) {
	t.Parallel()
	scs, err := sandbox.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	c, err := sandbox.New(scs...)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		institution string
		ch          connector.Challenge
		want        []string
	}{
		{"FlinksCapital", connector.Challenge{Type: flinks.QuestionAndAnswer, Prompt: "What shape do people like most?"}, []string{"Triangle"}},
		{"flinkscapital", connector.Challenge{Type: flinks.QuestionAndAnswer, Prompt: "What city were you born in?"}, []string{"Montreal"}},
		// The French prompt of the same question.
		{"National", connector.Challenge{Type: flinks.QuestionAndAnswer, Prompt: "Quel est le meilleur pays au monde?"}, []string{"Canada"}},
		// A pattern lists no answer.
		{"National", connector.Challenge{Type: flinks.QuestionAndAnswer, Prompt: "Enter your SecurID"}, nil},
		// Same prompt, other type: not that challenge.
		{"FlinksCapital", connector.Challenge{Type: flinks.MultipleChoice, Prompt: "What shape do people like most?"}, nil},
		{"Nowhere", connector.Challenge{Type: flinks.QuestionAndAnswer, Prompt: "What shape do people like most?"}, nil},
	}
	for _, tc := range tests {
		if got := c.KnownAnswers(tc.institution, tc.ch); !slices.Equal(got, tc.want) {
			t.Errorf("KnownAnswers(%s, %q) = %q, want %q", tc.institution, tc.ch.Prompt, got, tc.want)
		}
	}
}
