package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
)

// Attribute packages, for Attributes.
const (
	AllAttributes              = "GetAllAttributes"
	IncomeAttributes           = "GetIncomeAttributes"
	LendingAttributes          = "GetLendingAttributes"
	CreditRiskAttributes       = "GetCreditRiskAttributes"
	UserAnalysisAttributes     = "GetUserAnalysisAttributes"
	BusinessAnalysisAttributes = "GetBusinessAnalysisAttributes"
)

// root is the customer's "/v3/{customerId}/" URL, above BankingServices.
func (c *Client) root() string { return strings.TrimSuffix(c.base, "BankingServices/") }

// Attributes gets one attribute package (AllAttributes, IncomeAttributes,
// ...) for a login and an authorized RequestId. While the data is being
// fetched the error is a 202 *Error (OPERATION_PENDING).
func (c *Client) Attributes(ctx context.Context, pkg, loginID, requestID string) (*flinks.AttributesResponse, error) {
	var resp flinks.AttributesResponse
	u := c.root() + "insight/login/" + url.PathEscape(loginID) + "/attributes/" + url.PathEscape(requestID) + "/" + url.PathEscape(pkg)
	if err := c.doURL(ctx, http.MethodGet, u, nil, nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// Categorization gets every transaction of a login with its category.
func (c *Client) Categorization(ctx context.Context, loginID, requestID string) (*flinks.CategorizationResponse, error) {
	var resp flinks.CategorizationResponse
	u := c.root() + "categorization/login/" + url.PathEscape(loginID) + "/requestid/" + url.PathEscape(requestID)
	if err := c.doURL(ctx, http.MethodGet, u, nil, nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// FieldMatch scores a customer's identity fields against a saved login's
// account holders.
func (c *Client) FieldMatch(ctx context.Context, req flinks.FieldMatchRequest) (*flinks.FieldMatchResponse, error) {
	var resp flinks.FieldMatchResponse
	if err := c.do(ctx, http.MethodPost, "FieldMatch", nil, req, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}
