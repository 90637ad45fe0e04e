package flinks

// Attributes is the card of the attributes endpoints (GetAllAttributes and
// its packages), computed from a login's stored transactions and balances.
// Amounts are in cents, as Money everywhere. docs/enrich.md defines each.
type Attributes struct {
	HistoryDays             int    `json:"HistoryDays"`
	IncomeSourceCount       int    `json:"IncomeSourceCount"`
	PrimaryIncomeFrequency  string `json:"PrimaryIncomeFrequency"` // weekly, biweekly, semimonthly, monthly, irregular, none
	AverageMonthlyIncome    Money  `json:"AverageMonthlyIncome"`
	TotalIncome             Money  `json:"TotalIncome"`
	NSFCount                int    `json:"NSFCount"`
	OverdraftFeeCount       int    `json:"OverdraftFeeCount"`
	LoanPaymentCount        int    `json:"LoanPaymentCount"`
	LoanPaymentTotal        Money  `json:"LoanPaymentTotal"`
	PaydayLoanCount         int    `json:"PaydayLoanCount"`
	DaysWithNegativeBalance int    `json:"DaysWithNegativeBalance"`
	AverageDailyBalance     Money  `json:"AverageDailyBalance"`
	// BalanceTrend is the average balance of the last 30 days of history
	// minus that of the first 30.
	BalanceTrend Money `json:"BalanceTrend"`
}

// AttributesResponse is the 200 of the attributes endpoints.
type AttributesResponse struct {
	HttpStatusCode int        `json:"HttpStatusCode"`
	Card           Attributes `json:"Card"`
	Login          *Login     `json:"Login"`
	RequestId      string     `json:"RequestId"`
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
