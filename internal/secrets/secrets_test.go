package secrets_test

import (
	"crypto/rand"
	"reflect"
	"testing"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/vault"
)

func keeper(t *testing.T) *secrets.Keeper {
	t.Helper()
	key := make([]byte, vault.KeySize)
	rand.Read(key)
	ring, err := vault.NewRing([][]byte{key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return secrets.NewKeeper(ring)
}

// TestSessionRoundTrip seals a session's secret and opens it again; the
// sealed value opens for its own row only.
func TestSessionRoundTrip(t *testing.T) {
	t.Parallel()
	k := keeper(t)
	sess := &store.Session{CustomerID: "c1", ID: "s1"}
	sec := secrets.Session{Password: "hunter2", Collected: map[string][]string{"q": {"a"}}}
	sec.SetRound([]byte("state"), []connector.Challenge{
		{Type: flinks.QuestionAndAnswer, Prompt: "q1"}, {Type: flinks.QuestionAndAnswer, Prompt: "code", OneTime: true}})
	if err := k.SealSession(sess, &sec); err != nil {
		t.Fatal(err)
	}
	got, err := k.OpenSession(sess)
	if err != nil || !reflect.DeepEqual(got, sec) {
		t.Fatalf("opened %+v, %v; want %+v", got, err, sec)
	}
	if !got.OneTime {
		t.Error("a round with a one-time challenge did not mark the session one-time")
	}
	moved := &store.Session{CustomerID: "c1", ID: "s2", Sealed: sess.Sealed}
	if _, err := k.OpenSession(moved); err == nil {
		t.Error("a session's sealed secret opened for another session")
	}
	// Nothing to keep is kept as nothing.
	empty := &store.Session{CustomerID: "c1", ID: "s3", Sealed: []byte("old")}
	if err := k.SealSession(empty, &secrets.Session{}); err != nil || empty.Sealed != nil {
		t.Errorf("sealing an empty secret: %q, %v; want nil", empty.Sealed, err)
	}
}

// TestLoginDataKey seals a login's secrets with a data key of its own,
// opens them, forgets an answer, and checks that the sealed value is bound
// to its row.
func TestLoginDataKey(t *testing.T) {
	t.Parallel()
	k := keeper(t)
	login := &store.Login{CustomerID: "c1", ID: "l1"}
	ls := secrets.Login{Password: "pw", Answers: map[string][]string{"q1": {"a1"}, "q2": {"a2"}}, State: []byte("s")}
	if err := k.SealLogin(login, ls); err != nil {
		t.Fatal(err)
	}
	if login.DataKey == nil {
		t.Fatal("no data key made for the login")
	}
	got, err := k.OpenLogin(login)
	if err != nil || !reflect.DeepEqual(got, ls) {
		t.Fatalf("opened %+v, %v; want %+v", got, err, ls)
	}
	if err := k.ForgetAnswers(login, map[string][]string{"q1": nil}); err != nil {
		t.Fatal(err)
	}
	got, err = k.OpenLogin(login)
	if err != nil || len(got.Answers) != 1 || got.Answers["q2"] == nil {
		t.Errorf("after forgetting q1: %+v, %v", got.Answers, err)
	}
	other := &store.Login{CustomerID: "c1", ID: "l2", Sealed: login.Sealed, DataKey: login.DataKey}
	if _, err := k.OpenLogin(other); err == nil {
		t.Error("a login's secrets opened for another login")
	}
}

// TestShownAndCollect checks which challenges a client is shown and which
// answers a passed round keeps.
func TestShownAndCollect(t *testing.T) {
	t.Parallel()
	var s secrets.Session
	s.SetRound(nil, []connector.Challenge{{Prompt: "stored"}, {Prompt: "asked"}, {Prompt: "code", OneTime: true}})
	s.Prefilled = map[string][]string{"stored": {"x"}}
	var shown []string
	for _, c := range s.Shown() {
		shown = append(shown, c.Prompt)
	}
	if !reflect.DeepEqual(shown, []string{"asked", "code"}) {
		t.Errorf("shown %q, want the challenges without a stored answer", shown)
	}
	s.Collect(map[string][]string{"stored": {"x"}, "asked": {"y"}, "code": {"123456"}})
	if !reflect.DeepEqual(s.Collected, map[string][]string{"stored": {"x"}, "asked": {"y"}}) {
		t.Errorf("collected %v, want every answer but the one-time one", s.Collected)
	}
}
