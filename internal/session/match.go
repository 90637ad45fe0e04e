package session

import (
	"strings"
	"unicode"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// NormalizePrompt is the form in which a SecurityResponses key is compared
// with a prompt when it does not match exactly: case-folded letters and
// digits only. One Node client rewrites every key to PascalCase, turning
// "What shape do people like most?" into "WhatShapeDoPeopleLikeMost?".
func NormalizePrompt(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Match pairs the client's responses with the challenges asked, keying the
// result by each challenge's exact prompt. Keys match a prompt exactly, or
// else by NormalizePrompt. A TextOrCall challenge is answered the seed's
// way, keyed by the chosen phone number ({"<phone>": ["Text"]}); Match turns
// that into the challenge's answer ["<phone>", "Text"].
//
// It fails with UNKNOWN_CHALLENGE_KEY for a key that matches no prompt,
// INVALID_REQUEST for two keys naming one prompt, and
// SECURITYRESPONSES_INCOMPLETE when a challenge has no answer.
func Match(challenges []connector.Challenge, responses flinks.SecurityResponses) (map[string][]string, error) {
	exact := make(map[string]int, len(challenges))
	normal := make(map[string]int, len(challenges))
	for i, c := range challenges {
		exact[c.Prompt] = i
		n := NormalizePrompt(c.Prompt)
		if _, dup := normal[n]; dup {
			normal[n] = -1 // two prompts share a normal form: only exact keys reach them
		} else {
			normal[n] = i
		}
	}
	answers := make(map[string][]string, len(challenges))
	for key, values := range responses {
		i, ok := exact[key]
		if !ok {
			i, ok = normal[NormalizePrompt(key)]
		}
		if !ok {
			if ci, option, found := optionKey(challenges, key); found {
				i, ok = ci, true
				values = append([]string{option}, values...)
			}
		}
		if !ok || i < 0 {
			return nil, &flinks.Error{FlinksCode: flinks.CodeUnknownChallengeKey,
				Message: "The SecurityResponses key " + Quote(key) + " matches no prompt of this round; use each challenge's Prompt as the key."}
		}
		prompt := challenges[i].Prompt
		if _, dup := answers[prompt]; dup {
			return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
				Message: "Two SecurityResponses keys answer the prompt " + Quote(prompt) + "; send one."}
		}
		answers[prompt] = values
	}
	var missing []string
	for _, c := range challenges {
		if len(answers[c.Prompt]) == 0 {
			missing = append(missing, Quote(c.Prompt))
		}
	}
	if len(missing) > 0 {
		return nil, &flinks.Error{FlinksCode: flinks.CodeSecurityResponsesIncomplete,
			Message: "Every challenge of the round must be answered in one call; missing: " + strings.Join(missing, ", ") + "."}
	}
	return answers, nil
}

// optionKey finds the TextOrCall challenge offering key as an option,
// exactly or by normalized form, and returns the option as offered.
func optionKey(challenges []connector.Challenge, key string) (int, string, bool) {
	for _, byForm := range []func(a, b string) bool{
		func(a, b string) bool { return a == b },
		func(a, b string) bool { return NormalizePrompt(a) == NormalizePrompt(b) },
	} {
		for i, c := range challenges {
			if c.Type != flinks.TextOrCall {
				continue
			}
			for _, option := range c.Iterables {
				if byForm(option, key) {
					return i, option, true
				}
			}
		}
	}
	return 0, "", false
}

// Quote shortens a client-supplied key for a message: a key is not a secret,
// but it can be anything, of any length.
func Quote(s string) string {
	const max = 80
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "..."
	}
	return `"` + strings.ToValidUTF8(s, "") + `"`
}
