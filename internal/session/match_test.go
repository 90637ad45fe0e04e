package session

import (
	"errors"
	"reflect"
	"testing"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

func TestNormalizePrompt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"What shape do people like most?": "whatshapedopeoplelikemost",
		"WhatShapeDoPeopleLikeMost?":      "whatshapedopeoplelikemost",
		"Quelle forme préférez-vous ?":    "quelleformepréférezvous",
		"Enter the security code (6)":     "enterthesecuritycode6",
		"":                                "",
	} {
		if got := NormalizePrompt(in); got != want {
			t.Errorf("NormalizePrompt(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	q := func(prompts ...string) []connector.Challenge {
		var cs []connector.Challenge
		for _, p := range prompts {
			cs = append(cs, connector.Challenge{Type: flinks.QuestionAndAnswer, Prompt: p})
		}
		return cs
	}
	tests := []struct {
		name       string
		challenges []connector.Challenge
		responses  flinks.SecurityResponses
		want       map[string][]string
		code       flinks.Code
	}{
		{"exact", q("What shape?"), flinks.SecurityResponses{"What shape?": {"Triangle"}}, map[string][]string{"What shape?": {"Triangle"}}, ""},
		{"normalized", q("What shape?"), flinks.SecurityResponses{"WhatShape": {"Triangle"}}, map[string][]string{"What shape?": {"Triangle"}}, ""},
		{"three at once", q("Mother?", "Father?", "Dog?"),
			flinks.SecurityResponses{"Mother?": {"Louise"}, "father": {"Paul"}, "DOG?": {"Wouf"}},
			map[string][]string{"Mother?": {"Louise"}, "Father?": {"Paul"}, "Dog?": {"Wouf"}}, ""},
		{"unknown key", q("What shape?"), flinks.SecurityResponses{"What colour?": {"Red"}}, nil, flinks.CodeUnknownChallengeKey},
		{"extra key", q("What shape?"), flinks.SecurityResponses{"What shape?": {"Triangle"}, "Other": {"x"}}, nil, flinks.CodeUnknownChallengeKey},
		{"missing answer", q("Mother?", "Father?"), flinks.SecurityResponses{"Mother?": {"Louise"}}, nil, flinks.CodeSecurityResponsesIncomplete},
		{"empty list", q("Mother?"), flinks.SecurityResponses{"Mother?": {}}, nil, flinks.CodeSecurityResponsesIncomplete},
		{"two keys for one prompt", q("What shape?"), flinks.SecurityResponses{"What shape?": {"a"}, "whatshape": {"b"}}, nil, flinks.CodeInvalidRequest},
		{"ambiguous normal form needs the exact key", q("A b", "Ab"), flinks.SecurityResponses{"A b": {"1"}, "Ab": {"2"}},
			map[string][]string{"A b": {"1"}, "Ab": {"2"}}, ""},
		{"ambiguous normal form refused", q("A b", "Ab"), flinks.SecurityResponses{"AB": {"1"}, "Ab": {"2"}}, nil, flinks.CodeUnknownChallengeKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Match(tt.challenges, tt.responses)
			if tt.code != "" {
				var fe *flinks.Error
				if !errors.As(err, &fe) || fe.FlinksCode != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
