package sandbox_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bankfeed/bankfeed/connectors/sandbox"
)

// minimal is a valid scenario the error cases below break one field at a
// time.
const minimal = `{
  "Institution": "MapleCredit",
  "InstitutionId": 900,
  "Steps": {
    "question": {"Challenges": [{"Type": "QuestionAndAnswer", "Prompt": "Favourite tree?", "Answers": ["Maple"]}]}
  },
  "Users": [{"Username": "alice", "Password": "secret", "Flow": "question"}]
}`

func TestParseValid(t *testing.T) {
	t.Parallel()
	sc, err := sandbox.Parse("maple.json", []byte(minimal), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Institution != "MapleCredit" || sc.DisplayName != "MapleCredit" || len(sc.Users) != 1 {
		t.Errorf("parsed %+v", sc)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	images := fstest.MapFS{
		"images/ok.png":  {Data: []byte("\x89PNG\r\n\x1a\nrest")},
		"images/bad.png": {Data: []byte("GIF89a")},
	}
	tests := []struct {
		name, from, to string
		field, msg     string
	}{
		{"syntax error", `"InstitutionId": 900,`, `"InstitutionId": 900`, "", "line 4, column 4: invalid JSON"},
		{"wrong type", `"InstitutionId": 900`, `"InstitutionId": "900"`, "InstitutionId", "must be int"},
		{"unknown field", `"InstitutionId": 900,`, `"InstitutionId": 900, "Colour": "red",`, "", `unknown field "Colour"`},
		{"no institution", `"Institution": "MapleCredit"`, `"Institution": ""`, "Institution", "must be a name"},
		{"no id", `"InstitutionId": 900`, `"InstitutionId": 0`, "InstitutionId", "positive"},
		{"no users", `"Users": [{"Username": "alice", "Password": "secret", "Flow": "question"}]`, `"Users": []`, "Users", "at least one user"},
		{"unknown challenge type", `"Type": "QuestionAndAnswer"`, `"Type": "Riddle"`, "Steps.question.Challenges[0].Type", `"Riddle" is not a challenge type`},
		{"no prompt", `"Prompt": "Favourite tree?", `, ``, "Steps.question.Challenges[0].Prompt", "is required"},
		{"no answers", `, "Answers": ["Maple"]`, ``, "Steps.question.Challenges[0].Answers", "needs Answers or a Pattern"},
		{"bad pattern", `"Answers": ["Maple"]`, `"Pattern": "[0-9"`, "Steps.question.Challenges[0].Pattern", "not a regular expression"},
		{"missing next step", `"Challenges"`, `"Next": "nowhere", "Challenges"`, "Steps.question.Next", `no step is named "nowhere"`},
		{"bad OnWrong", `"Challenges"`, `"OnWrong": "EXPLODE", "Challenges"`, "Steps.question.OnWrong", `"EXPLODE" is neither a step nor an error`},
		{"looping Next", `"Challenges"`, `"Next": "question", "Challenges"`, "Steps", "loops"},
		{"empty step", `{"Challenges": [{"Type": "QuestionAndAnswer", "Prompt": "Favourite tree?", "Answers": ["Maple"]}]}`, `{"Challenges": []}`, "Steps.question.Challenges", "at least one challenge"},
		{"missing flow", `"Flow": "question"`, `"Flow": "questoin"`, "Users[0].Flow", `no step is named "questoin"`},
		{"missing password", `"Password": "secret", `, ``, "Users[0].Password", "is required"},
		{"duplicate user", `{"Username": "alice", "Password": "secret", "Flow": "question"}`, `{"Username": "alice", "Password": "secret"}, {"Username": "ALICE", "Password": "x"}`, "Users[1].Username", "declared twice"},
		{"unknown user error", `"Flow": "question"`, `"Error": "ON_FIRE"`, "Users[0].Error", `"ON_FIRE" is not an error`},
		{"bad duration", `"Flow": "question"`, `"DeviceApproval": "soon"`, "Users[0].DeviceApproval", `"soon" is not a duration`},
		{"choice answer not offered", `"Type": "QuestionAndAnswer", "Prompt": "Favourite tree?", "Answers": ["Maple"]`,
			`"Type": "MultipleChoice", "Prompt": "Pick", "Iterables": ["Oak", "Elm"], "Answers": ["Maple"]`, "Steps.question.Challenges[0].Answers[0]", "not one of the Iterables"},
		{"choice without options", `"Type": "QuestionAndAnswer", "Prompt": "Favourite tree?", "Answers": ["Maple"]`,
			`"Type": "TextOrCall", "Prompt": "Phone"`, "Steps.question.Challenges[0].Iterables", "needs options"},
		{"missing image", `"Answers": ["Maple"]`, `"Answers": ["@image:nothing"]`, "Steps.question.Challenges[0].Answers[0]", `image "nothing"`},
		{"image that is not a PNG", `"Answers": ["Maple"]`, `"Answers": ["@image:bad"]`, "Steps.question.Challenges[0].Answers[0]", "not a PNG"},
		{"two values", `"Users"`, `"Users": [], "Users2"`, "", "unknown field"},
		{"declared without description", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Amount": "-1.00"}]`, "Users[0].Transactions[1].Description", `is required`},
		{"declared amount not a decimal", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "-1,50"}]`, "Users[0].Transactions[1].Amount", `"-1,50" is not an amount such as "-42.10"`},
		{"declared amount of three decimals", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1.505"}]`, "Users[0].Transactions[1].Amount", `is not an amount`},
		{"declared amount zero", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "0.00"}]`, "Users[0].Transactions[1].Amount", `must not be zero`},
		{"declared amount missing", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X"}]`, "Users[0].Transactions[1].Amount", `"" is not an amount`},
		{"declared day too far", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "Day": -400}]`, "Users[0].Transactions[1].Day", `-400 is not between -365 and 365`},
		{"declared pending not a duration", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "PendingUntil": "2 days"}]`, "Users[0].Transactions[1].PendingUntil", `"2 days" is not a positive duration`},
		{"declared pending negative", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "PendingUntil": "-48h"}]`, "Users[0].Transactions[1].PendingUntil", `is not a positive duration`},
		{"declared posted amount without pending", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "PostedAmount": "2"}]`, "Users[0].Transactions[1].PostedAmount", `needs PendingUntil`},
		{"declared posted description without pending", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "PostedDescription": "Y"}]`, "Users[0].Transactions[1].PostedDescription", `needs PendingUntil`},
		{"declared posted amount not a decimal", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "PendingUntil": "1h", "PostedAmount": "two"}]`, "Users[0].Transactions[1].PostedAmount", `"two" is not an amount`},
		{"declared removal not a duration", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "RemovedAfter": "0s"}]`, "Users[0].Transactions[1].RemovedAfter", `"0s" is not a positive duration`},
		{"declared unknown category", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "Category": "Food/Resto"}]`, "Users[0].Transactions[1].Category", `"Food/Resto" is not a category of the tree (Income, Income/Payroll`},
		{"declared unknown field", `"Flow": "question"`, `"Flow": "question", "Transactions": [{"Description": "SHOP", "Amount": "-1.00"}, {"Description": "X", "Amount": "1", "Pending": "1h"}]`, "", `unknown field "Pending"`},
		{"unknown persona", `"Flow": "question"`, `"Persona": "student"`, "Users[0].Persona", `"student" is not a persona (salaried, gig, borrower, business, newcomer)`},
		{"business persona of a personal user", `"Flow": "question"`, `"Persona": "business"`, "Users[0].Type", `the business persona is a business: it needs "Type": "Business"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(minimal, tt.from) {
				t.Fatalf("the case's text %q is not in the minimal scenario", tt.from)
			}
			_, err := sandbox.Parse("maple.json", []byte(strings.Replace(minimal, tt.from, tt.to, 1)), images)
			var se *sandbox.ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *ScenarioError", err)
			}
			if se.File != "maple.json" || se.Field != tt.field || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("got file %q field %q msg %q; want field %q and a message containing %q", se.File, se.Field, se.Msg, tt.field, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "maple.json: ") {
				t.Errorf("message %q does not start with the file", err)
			}
		})
	}
}

func TestEmbeddedScenarios(t *testing.T) {
	t.Parallel()
	scenarios, err := sandbox.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"FlinksCapital": 14, "RBC": 8, "Laurentienne": 15, "National": 3, "Scotia": 6, "TD": 9}
	got := map[string]int{}
	for _, sc := range scenarios {
		got[sc.Institution] = sc.InstitutionId
	}
	for name, id := range want {
		if got[name] != id {
			t.Errorf("%s: InstitutionId %d, want %d", name, got[name], id)
		}
	}
	if _, err := sandbox.New(scenarios...); err != nil {
		t.Fatal(err)
	}
}

// FuzzParse feeds arbitrary bytes to the scenario parser: it must return a
// scenario or a *ScenarioError, never panic; a scenario it accepts must make
// a connector.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"Institution":"A","InstitutionId":1,"Steps":{"a":{"Challenges":[{"Type":"MultipleChoice","Prompt":{"en":"x","fr":"y"},"Iterables":["o"],"Answers":["o"]}],"Next":"b"},"b":{"Challenges":[{"Type":"WaitUntilEUAccept","Prompt":"p"}],"TwoStep":true}},"Users":[{"Username":"u","Password":"p","Flow":"a","DeviceApproval":"1s"}]}`))
	f.Add([]byte(`{"Institution":"A","InstitutionId":1,"Steps":{"a":{"Challenges":[{"Type":"QuestionAndAnswer","Prompt":"q","Pattern":"[0-9]{6}"}],"OnWrong":"a"}},"Users":[{"Username":"u","Password":"p","Rotate":["a"]}]}`))
	f.Add([]byte(`{"Institution":"A","InstitutionId":1,"Users":[{"Username":"u","Password":"p","Type":"Business","Persona":"business","Transactions":[{"Description":"X","Amount":"-1.5","Day":-3,"PendingUntil":"48h","PostedAmount":"2","PostedDescription":"Y","RemovedAfter":"1h","Category":"Shopping"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := sandbox.Parse("fuzz.json", data, nil)
		if err != nil {
			var se *sandbox.ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *ScenarioError", err)
			}
			return
		}
		if _, err := sandbox.New(sc); err != nil {
			t.Fatalf("a valid scenario makes no connector: %v", err)
		}
	})
}
