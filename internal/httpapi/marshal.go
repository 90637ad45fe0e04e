package httpapi

import (
	"encoding/json"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/detailjson"
)

// marshal returns the JSON of v, byte for byte as json.Marshal writes it,
// followed by a newline. The body of GetAccountsDetail is written by
// package detailjson (which says why), with its accounts' JSON copied in
// when a copy of them came with it (detailBody); every other body goes
// through encoding/json.
func marshal(v any) ([]byte, error) {
	var d *flinks.AccountsDetailResponse
	var accounts []byte
	switch v := v.(type) {
	case *flinks.AccountsDetailResponse:
		d = v
	case *detailBody:
		d, accounts = v.resp, v.accounts
	}
	if d != nil {
		b, err := detailjson.Append(nil, d, accounts)
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// detailBody is a body of GetAccountsDetail whose accounts come with their
// JSON (accounts.Data.AccountsJSON), shared by every call a copy answers.
type detailBody struct {
	resp     *flinks.AccountsDetailResponse
	accounts []byte
}
