package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The harness's sandbox institution. The embedded sandbox matches each
// username exactly, and a saved login is unique per customer, institution
// and username, so N distinct saved logins need N users: the harness writes
// them as a scenario file (docs/scenarios.md) and starts the server with
// --scenarios. Each user's login asks one question, FlinksCapital's, as
// Greatday's does.
const (
	institution   = "LoadBank"
	institutionID = 9700 // not one of the embedded scenarios' ids
	password      = "Everyday"
	prompt        = "What shape do people like most?"
	answer        = "Triangle"
	scenarioFile  = "loadbank.json"
)

// username is the sandbox user of login i.
func username(i int) string { return fmt.Sprintf("load%06d", i) }

// writeScenario writes the scenario of n users into dir.
func writeScenario(dir string, n int) error {
	type user struct{ Username, Password, Flow string }
	type challenge struct {
		Type, Prompt string
		Answers      []string
	}
	type step struct{ Challenges []challenge }
	sc := struct {
		Institution   string
		InstitutionId int
		Steps         map[string]step
		Users         []user
	}{
		Institution:   institution,
		InstitutionId: institutionID,
		Steps:         map[string]step{"shape": {Challenges: []challenge{{Type: "QuestionAndAnswer", Prompt: prompt, Answers: []string{answer}}}}},
	}
	for i := range n {
		sc.Users = append(sc.Users, user{Username: username(i), Password: password, Flow: "shape"})
	}
	data, err := json.MarshalIndent(sc, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, scenarioFile), data, 0o644)
}
