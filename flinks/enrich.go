package flinks

// AttributeCard is the Card of the attributes endpoints (GetAllAttributes
// and its packages), as Flinks documents it: "Id", the LoginId, and every
// attribute of the package as a name/value pair. Values are numbers
// (amounts as decimals, counts as integers), strings (names, dates,
// frequencies), booleans, or null where the data has nothing to say.
// docs/enrich.md defines each attribute as bankfeed computes it.
type AttributeCard map[string]any

// Number returns a numeric attribute, as a decoded card holds it.
func (c AttributeCard) Number(name string) (float64, bool) {
	switch v := c[name].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case Money:
		return float64(v) / 100, true
	}
	return 0, false
}

// AttributesResponse is the 200 of the attributes endpoints.
type AttributesResponse struct {
	HttpStatusCode int           `json:"HttpStatusCode"`
	Card           AttributeCard `json:"Card"`
	Login          *Login        `json:"Login"`
	RequestId      string        `json:"RequestId"`
}

// CategorizedTransaction is one transaction of the categorization answer,
// with the account it belongs to and its category.
type CategorizedTransaction struct {
	AccountId string `json:"AccountId"`
	Category  string `json:"Category"`
	Transaction
}

// CategorizationResponse is the 200 of the categorization endpoint.
type CategorizationResponse struct {
	HttpStatusCode int                      `json:"HttpStatusCode"`
	Transactions   []CategorizedTransaction `json:"Transactions"`
	Login          *Login                   `json:"Login"`
	RequestId      string                   `json:"RequestId"`
}

// FieldMatchRequest is the body of FieldMatch: the customer's data to
// compare with the login's account holders. Only the fields sent are
// scored; Threshold, from 0 to 1, adds the pass/fail result.
type FieldMatchRequest struct {
	LoginId    string   `json:"loginId"`
	Name       string   `json:"name,omitempty"`
	Address    string   `json:"address,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Email      string   `json:"email,omitempty"`
	Phone      string   `json:"phone,omitempty"`
	Threshold  *float64 `json:"threshold,omitempty"`
}

// FieldMatchResponse is the 200 of FieldMatch: a 0 to 1 score per field
// sent (0 for those in NoData), their mean, and IsMatch when a threshold
// was sent.
type FieldMatchResponse struct {
	HttpStatusCode   int                `json:"HttpStatusCode"`
	LoginId          string             `json:"loginId"`
	Scores           map[string]float64 `json:"scores"`
	NoData           []string           `json:"noData"`
	OverallMatchRate float64            `json:"overallMatchRate"`
	IsMatch          *bool              `json:"isMatch,omitempty"`
}
