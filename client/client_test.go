package client

import (
	"errors"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

func TestNew(t *testing.T) {
	t.Parallel()
	c, err := New("http://127.0.0.1:8080/", "abc")
	if err != nil || c.base != "http://127.0.0.1:8080/v3/abc/BankingServices/" {
		t.Fatalf("%v %v", c, err)
	}
	for _, bad := range []string{"", "127.0.0.1:8080", "ftp://x", "http://"} {
		if _, err := New(bad, "abc"); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
	if _, err := New("http://x", " "); err == nil {
		t.Error("an empty customerId was accepted")
	}
}

func TestDecodeResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		code   flinks.Code // "" for success
		msg    string
	}{
		{"success", 200, `{"HttpStatusCode":200,"RequestId":"r"}`, "", ""},
		{"mfa", 203, `{"HttpStatusCode":203,"RequestId":"r"}`, "", ""},
		{"flinks error", 401, `{"HttpStatusCode":401,"FlinksCode":"INVALID_PASSWORD","Message":"no"}`, flinks.CodeInvalidPassword, "no"},
		{"pending", 202, `{"HttpStatusCode":202,"FlinksCode":"OPERATION_PENDING","Message":"wait"}`, flinks.CodeOperationPending, "wait"},
		{"error code in a 200", 200, `{"HttpStatusCode":200,"FlinksCode":"SESSION_NONEXISTENT","Message":"x"}`, flinks.CodeSessionNonexistent, "x"},
		{"proxy html", 502, `<html>Bad Gateway</html>`, "", "<html>Bad Gateway</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out flinks.AuthorizeResponse
			err := decodeResponse(tt.status, []byte(tt.body), &out)
			if tt.code == "" && tt.msg == "" {
				if err != nil || out.RequestId != "r" {
					t.Fatalf("err %v, out %+v", err, out)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != tt.status || e.Body.FlinksCode != tt.code || e.Body.Message != tt.msg {
				t.Fatalf("err = %#v", err)
			}
			if Code(err) != tt.code {
				t.Errorf("Code = %q", Code(err))
			}
		})
	}
	if Code(errors.New("x")) != "" || Code(nil) != "" {
		t.Error("Code of a non-API error is not empty")
	}
}
