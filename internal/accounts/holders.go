package accounts

import (
	"context"
	"errors"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Holders returns the holders of a saved login's accounts in its latest
// snapshot, for FieldMatch, which Flinks keys on the LoginId alone. A
// login of another customer is unknown here, as everywhere.
func (s *Service) Holders(ctx context.Context, customerID, loginID string) ([]flinks.Holder, error) {
	loginID = strings.TrimSpace(loginID)
	if loginID == "" {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "loginId is required.",
			ValidationDetails: map[string][]string{"loginId": {"required"}}}
	}
	var holders []flinks.Holder
	err := s.store.ReadTx(ctx, func(q store.Queries) error {
		if _, err := q.Login(ctx, customerID, loginID); errors.Is(err, store.ErrNotFound) {
			return &flinks.Error{FlinksCode: flinks.CodeInvalidLogin, Message: "The loginId is unknown."}
		} else if err != nil {
			return err
		}
		snap, _, err := q.Snapshot(ctx, customerID, loginID, store.SnapshotQuery{})
		if errors.Is(err, store.ErrNotFound) {
			return &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
				Message: "No data has been collected for this login yet: call GetAccountsDetail first."}
		} else if err != nil {
			return err
		}
		kyc := flinks.Bool(true)
		o, err := Parse(&flinks.DataRequest{WithKYC: &kyc}, s.now())
		if err != nil {
			return err
		}
		for _, a := range Detail(snap, o) {
			if a.Holder != nil {
				holders = append(holders, *a.Holder)
			}
		}
		return nil
	})
	return holders, err
}
