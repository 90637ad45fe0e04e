// Package secrets is what bankfeed keeps sealed: the secrets of a session
// between its rounds and those of a saved login, their sealed formats, the
// per-login data keys, and the additional authenticated data (AAD) that
// binds each sealed value to its row. The vault seals; this package decides
// what is sealed, under which key, for which row.
package secrets

import (
	"encoding/json"
	"fmt"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/vault"
)

// Session is what a session keeps sealed between rounds.
type Session struct {
	Password string `json:"p,omitempty"`
	// State is the connector's conversation state for Round.
	State []byte `json:"s,omitempty"`
	// Round is the current round as the connector asked it.
	Round []Challenge `json:"r,omitempty"`
	// Prefilled holds stored answers for challenges of Round that are not
	// shown to the client.
	Prefilled map[string][]string `json:"f,omitempty"`
	// Collected holds the correct answers of passed rounds, stored on the
	// login at the end when the session saves.
	Collected map[string][]string `json:"a,omitempty"`
	// ListQuestions is the request's WithMfaQuestions: record the login's
	// security questions when it is saved.
	ListQuestions bool `json:"q,omitempty"`
	// OneTime records that a round of the conversation asked a one-time
	// challenge: the login is then two-step, and no scheduled refresh can
	// pass its login.
	OneTime bool `json:"o,omitempty"`
}

// Challenge is connector.Challenge with explicit JSON names, so the sealed
// format does not depend on the public type's field names.
type Challenge struct {
	Type      flinks.ChallengeType `json:"t"`
	Prompt    string               `json:"p"`
	Iterables []string             `json:"i,omitempty"`
	OneTime   bool                 `json:"o,omitempty"`
}

// Login is what a saved login keeps sealed.
type Login struct {
	Password string              `json:"p,omitempty"`
	Answers  map[string][]string `json:"a,omitempty"`
	// State is the connector's state of the last authorized login.
	State []byte `json:"s,omitempty"`
	// Questions are the login's security questions, recorded by a live
	// Authorize with WithMfaQuestions (the Enhanced MFA flow).
	Questions []string `json:"qs,omitempty"`
}

// Empty reports whether the session keeps nothing sealed.
func (s *Session) Empty() bool {
	return s.Password == "" && len(s.State) == 0 && len(s.Round) == 0 && len(s.Collected) == 0 && !s.ListQuestions && !s.OneTime
}

// SetRound records a round the connector asked.
func (s *Session) SetRound(state []byte, cs []connector.Challenge) {
	s.State = state
	s.Round = make([]Challenge, len(cs))
	for i, c := range cs {
		s.Round[i] = Challenge{Type: c.Type, Prompt: c.Prompt, Iterables: c.Iterables, OneTime: c.OneTime}
		s.OneTime = s.OneTime || c.OneTime
	}
}

// Shown returns the challenges of the round that the client must answer.
func (s *Session) Shown() []connector.Challenge {
	out := make([]connector.Challenge, 0, len(s.Round))
	for _, ch := range s.Round {
		if _, ok := s.Prefilled[ch.Prompt]; !ok {
			out = append(out, connector.Challenge{Type: ch.Type, Prompt: ch.Prompt, Iterables: ch.Iterables, OneTime: ch.OneTime})
		}
	}
	return out
}

// Collect keeps the answers of a passed round, except one-time ones.
func (s *Session) Collect(answers map[string][]string) {
	for _, ch := range s.Round {
		v, ok := answers[ch.Prompt]
		if !ok || ch.OneTime {
			continue
		}
		if s.Collected == nil {
			s.Collected = make(map[string][]string)
		}
		s.Collected[ch.Prompt] = v
	}
}

// Keeper seals and opens the secrets of sessions and logins with the
// master key ring.
type Keeper struct {
	ring *vault.Ring
}

// NewKeeper returns a Keeper sealing with ring.
func NewKeeper(ring *vault.Ring) *Keeper { return &Keeper{ring: ring} }

// SealSession seals sec into sess.Sealed, under the master key; nothing is
// stored for a secret with nothing in it.
func (k *Keeper) SealSession(sess *store.Session, sec *Session) error {
	sess.Sealed = nil
	if sec.Empty() {
		return nil
	}
	var err error
	sess.Sealed, err = sealJSON(k.ring, sec, SessionAAD(sess.CustomerID, sess.ID))
	return err
}

// OpenSession opens what sess keeps sealed; the zero Session when nothing.
func (k *Keeper) OpenSession(sess *store.Session) (Session, error) {
	var sec Session
	err := openJSON(k.ring, sess.Sealed, SessionAAD(sess.CustomerID, sess.ID), &sec)
	return sec, err
}

// SealLogin seals a login's secrets with the login's own data key, making
// the key if the login has none: DeleteCard destroys the key with the row,
// and with it every copy of what it sealed.
func (k *Keeper) SealLogin(login *store.Login, ls Login) error {
	var dk sealer
	var err error
	aad := DataKeyAAD(login.CustomerID, login.ID)
	if login.DataKey == nil {
		var wrapped []byte
		if dk, wrapped, err = k.ring.NewDataKey(aad); err != nil {
			return err
		}
		login.DataKey = wrapped
	} else if dk, err = k.ring.OpenDataKey(login.DataKey, aad); err != nil {
		return fmt.Errorf("secrets: %s: %w", aad, err)
	}
	login.Sealed, err = sealJSON(dk, ls, LoginAAD(login.CustomerID, login.ID))
	return err
}

// OpenLogin opens a login's secrets; the zero Login when it keeps none. A
// login without a data key was sealed under the master key, as logins were
// before data keys.
func (k *Keeper) OpenLogin(login *store.Login) (Login, error) {
	var ls Login
	if len(login.Sealed) == 0 {
		return ls, nil
	}
	aad := LoginAAD(login.CustomerID, login.ID)
	if login.DataKey == nil {
		return ls, openJSON(k.ring, login.Sealed, aad, &ls)
	}
	dk, err := k.ring.OpenDataKey(login.DataKey, DataKeyAAD(login.CustomerID, login.ID))
	if err != nil {
		return ls, fmt.Errorf("secrets: %s: %w", DataKeyAAD(login.CustomerID, login.ID), err)
	}
	return ls, openJSON(dk, login.Sealed, aad, &ls)
}

// ForgetAnswers removes from a login's stored answers those of the given
// prompts, which the bank refused, and seals the rest again; the caller
// writes the login.
func (k *Keeper) ForgetAnswers(login *store.Login, prompts map[string][]string) error {
	ls, err := k.OpenLogin(login)
	if err != nil {
		return err
	}
	for prompt := range prompts {
		delete(ls.Answers, prompt)
	}
	return k.SealLogin(login, ls)
}

// SealWebhook seals a customer's webhook signing key into w.Secret, under
// the master key.
func (k *Keeper) SealWebhook(w *store.Webhook, secret string) error {
	var err error
	w.Secret, err = k.ring.Seal([]byte(secret), WebhookAAD(w.CustomerID, w.CustomerID))
	return err
}

// OpenWebhook opens a customer's webhook signing key.
func (k *Keeper) OpenWebhook(w *store.Webhook) (string, error) {
	aad := WebhookAAD(w.CustomerID, w.CustomerID)
	plain, err := k.ring.Open(w.Secret, aad)
	if err != nil {
		return "", fmt.Errorf("secrets: %s: %w", aad, err)
	}
	return string(plain), nil
}

// The additional authenticated data of sealed values is the row's identity,
// so a ciphertext moved to another row does not open. SessionAAD and
// DataKeyAAD name the values sealed under the master key, which a key
// rotation reseals; LoginAAD names a login's secrets, sealed with its data
// key, or under the master key directly for logins sealed before data keys.
func SessionAAD(customerID, id string) string { return "session/" + customerID + "/" + id }

// DataKeyAAD names a login's wrapped data key; see SessionAAD.
func DataKeyAAD(customerID, id string) string { return "datakey/" + customerID + "/" + id }

// LoginAAD names a login's sealed secrets; see SessionAAD.
func LoginAAD(customerID, id string) string { return "login/" + customerID + "/" + id }

// WebhookAAD names a customer's webhook signing key, whose row's id is the
// customer's; see SessionAAD.
func WebhookAAD(customerID, id string) string { return "webhook/" + customerID + "/" + id }

// sealer is what seals and opens: the master key ring or a data key.
type sealer interface {
	Seal(plaintext []byte, aad string) ([]byte, error)
	Open(sealed []byte, aad string) ([]byte, error)
}

func sealJSON(k sealer, v any, aad string) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return k.Seal(plain, aad)
}

func openJSON(k sealer, sealed []byte, aad string, v any) error {
	if len(sealed) == 0 {
		return nil
	}
	plain, err := k.Open(sealed, aad)
	if err != nil {
		return fmt.Errorf("secrets: %s: %w", aad, err)
	}
	defer clear(plain)
	return json.Unmarshal(plain, v)
}
