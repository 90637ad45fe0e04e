package flinks

// DataRequest is the body of GetAccountsSummary, GetAccountsDetail and
// GetStatements (each reads the fields it knows).
type DataRequest struct {
	RequestId           string `json:"RequestId"`
	WithAccountIdentity *Bool  `json:"WithAccountIdentity,omitempty"`
	WithKYC             *Bool  `json:"WithKYC,omitempty"`
	WithTransactions    *Bool  `json:"WithTransactions,omitempty"`
	WithBalance         *Bool  `json:"WithBalance,omitempty"`
	// DaysOfTransactions is "Days90" (the default) or "Days365"; the older
	// "Days360" reads as Days365.
	DaysOfTransactions string   `json:"DaysOfTransactions,omitempty"`
	AccountsFilter     []string `json:"AccountsFilter,omitempty"`
	// DateFrom and DateTo bound the transactions, as "2006-01-02".
	DateFrom     string         `json:"DateFrom,omitempty"`
	DateTo       string         `json:"DateTo,omitempty"`
	RefreshDelta []RefreshDelta `json:"RefreshDelta,omitempty"`
	// NumberOfStatements is "MostRecent" (the default), "Months3" or
	// "Months12" (GetStatements).
	NumberOfStatements string `json:"NumberOfStatements,omitempty"`
}

// RefreshDelta asks for the transactions of an account newer than the given
// one.
type RefreshDelta struct {
	AccountId     string `json:"AccountId"`
	TransactionId string `json:"TransactionId"`
}

// Balance is an account's balances; a nil amount is unknown or withheld.
type Balance struct {
	Available *Money `json:"Available"`
	Current   *Money `json:"Current"`
	Limit     *Money `json:"Limit"`
}

// Address is a holder's civic address.
type Address struct {
	CivicAddress *string `json:"CivicAddress"`
	City         *string `json:"City"`
	Province     *string `json:"Province"`
	PostalCode   *string `json:"PostalCode"`
	POBox        *string `json:"POBox"`
	Country      *string `json:"Country"`
}

// Holder is the person or business an account belongs to.
type Holder struct {
	Name        *string  `json:"Name"`
	Address     *Address `json:"Address"`
	Email       *string  `json:"Email"`
	PhoneNumber *string  `json:"PhoneNumber"`
}

// Transaction is one transaction of GetAccountsDetail.
type Transaction struct {
	Date        string  `json:"Date"` // "2006-01-02"
	Code        *string `json:"Code"`
	Description string  `json:"Description"`
	Debit       *Money  `json:"Debit"`
	Credit      *Money  `json:"Credit"`
	Balance     *Money  `json:"Balance"`
	Id          string  `json:"Id"`
	// BankCategory is the category the bank gave the transaction
	// (connector.Transaction.Category), which categorization prefers to its
	// own rules. Flinks' GetAccountsDetail has no such field, so it is
	// never on the wire.
	BankCategory string `json:"-"`
}

// AccountDetail is one account of GetAccountsDetail, fields in the docs'
// order.
type AccountDetail struct {
	Transactions      []Transaction `json:"Transactions"`
	TransitNumber     *string       `json:"TransitNumber"`
	InstitutionNumber *string       `json:"InstitutionNumber"`
	OverdraftLimit    *Money        `json:"OverdraftLimit"`
	Title             string        `json:"Title"`
	AccountNumber     *string       `json:"AccountNumber"`
	LastFourDigits    *string       `json:"LastFourDigits"`
	Balance           Balance       `json:"Balance"`
	Category          string        `json:"Category"`
	Type              string        `json:"Type"`
	Currency          string        `json:"Currency"`
	Holder            *Holder       `json:"Holder"`
	AccountType       *string       `json:"AccountType"`
	Id                string        `json:"Id"`
}

// AccountSummary is one account of GetAccountsSummary, fields in the docs'
// order.
type AccountSummary struct {
	EftEligibleRatio       float64 `json:"EftEligibleRatio"`
	ETransferEligibleRatio float64 `json:"ETransferEligibleRatio"`
	Title                  string  `json:"Title"`
	AccountNumber          *string `json:"AccountNumber"`
	LastFourDigits         *string `json:"LastFourDigits"`
	Balance                Balance `json:"Balance"`
	Category               string  `json:"Category"`
	Type                   string  `json:"Type"`
	Currency               string  `json:"Currency"`
	Holder                 *Holder `json:"Holder"`
	AccountType            *string `json:"AccountType"`
	Id                     string  `json:"Id"`
}

// AccountsDetailResponse is the 200 body of GetAccountsDetail.
type AccountsDetailResponse struct {
	HttpStatusCode  int             `json:"HttpStatusCode"`
	Accounts        []AccountDetail `json:"Accounts"`
	InstitutionName string          `json:"InstitutionName"`
	Login           *Login          `json:"Login"`
	InstitutionId   int             `json:"InstitutionId"`
	Institution     string          `json:"Institution"`
	RequestId       string          `json:"RequestId"`
	Tag             string          `json:"Tag,omitempty"`
}

// AccountsSummaryResponse is the 200 body of GetAccountsSummary.
type AccountsSummaryResponse struct {
	HttpStatusCode  int              `json:"HttpStatusCode"`
	Accounts        []AccountSummary `json:"Accounts"`
	Links           []Link           `json:"Links"`
	InstitutionName string           `json:"InstitutionName"`
	Login           *Login           `json:"Login"`
	InstitutionId   int              `json:"InstitutionId"`
	Institution     string           `json:"Institution"`
	RequestId       string           `json:"RequestId"`
	Tag             string           `json:"Tag,omitempty"`
}

// Statement is one PDF statement of GetStatements.
type Statement struct {
	UniqueId    string `json:"UniqueId"`
	FileType    string `json:"FileType"`
	Base64Bytes string `json:"Base64Bytes"`
}

// AccountStatements are the statements of one account.
type AccountStatements struct {
	AccountNumber string      `json:"AccountNumber"`
	Statements    []Statement `json:"Statements"`
}

// StatementsResponse is the 200 body of GetStatements.
type StatementsResponse struct {
	HttpStatusCode      int                 `json:"HttpStatusCode"`
	StatementsByAccount []AccountStatements `json:"StatementsByAccount"`
	Login               *Login              `json:"Login"`
	Institution         string              `json:"Institution"`
	RequestId           string              `json:"RequestId"`
	Tag                 string              `json:"Tag,omitempty"`
}

// InstitutionURL is a web address of an institution.
type InstitutionURL struct {
	Type string `json:"Type"`
	Url  string `json:"Url"`
}

// Localization is an institution's name in one language.
type Localization struct {
	Language string           `json:"Language"`
	Name     string           `json:"Name"`
	Urls     []InstitutionURL `json:"Urls"`
}

// Institution is one entry of GET /Institutions.
type Institution struct {
	Id int `json:"Id"`
	// Name is the name /Authorize takes as Institution ("FlinksCapital"),
	// where Localizations give the one shown to people. bankfeed's
	// addition: Flinks' list has no such field, and a client that picks an
	// institution from the list (the Connect widget) needs it.
	Name          string         `json:"Name,omitempty"`
	Localizations []Localization `json:"Localizations"`
	Status        string         `json:"Status"`
	Country       string         `json:"Country"`
	// RoutingNumbers is set by GET /Institutions/RoutingNumber/{n} only.
	RoutingNumbers []string `json:"RoutingNumbers,omitempty"`
}

// InstitutionsResponse is the body of GET /Institutions.
type InstitutionsResponse struct {
	Data  []Institution `json:"Data"`
	Count int           `json:"Count"`
}

// MFAQuestion is one security question of the Enhanced MFA flow.
type MFAQuestion struct {
	Question string `json:"Question"`
	Answer   string `json:"Answer,omitempty"`
}

// MFAQuestionsResponse is the body of GET /GetMFAQuestions/{loginId}.
type MFAQuestionsResponse struct {
	HttpStatusCode int           `json:"HttpStatusCode"`
	Message        string        `json:"Message"`
	Questions      []MFAQuestion `json:"Questions"`
}

// AnswerMFAQuestionsRequest is the body of PATCH /AnswerMFAQuestions.
type AnswerMFAQuestionsRequest struct {
	LoginId   string        `json:"LoginId"`
	Questions []MFAQuestion `json:"Questions"`
}

// SetScheduledRefreshRequest is the body of PATCH /SetScheduledRefresh.
type SetScheduledRefreshRequest struct {
	LoginId     string `json:"LoginId"`
	IsActivated Bool   `json:"IsActivated"`
}

// MessageResponse is a body carrying only a message, as DeleteCard's.
type MessageResponse struct {
	HttpStatusCode int    `json:"HttpStatusCode"`
	Message        string `json:"Message"`
}

// AuthorizeMultipleRequest is the body of POST /AuthorizeMultiple: cached
// sessions over several saved logins at once.
type AuthorizeMultipleRequest struct {
	LoginIds         []string `json:"LoginIds"`
	MostRecentCached *Bool    `json:"MostRecentCached,omitempty"`
}

// LoginRequest pairs a LoginId with the RequestId of its new session.
type LoginRequest struct {
	LoginId   string `json:"LoginId"`
	RequestId string `json:"RequestId"`
}

// AuthorizeMultipleResponse is the 200 body of /AuthorizeMultiple. Flinks
// does not document its shape; bankfeed's is in docs/data.md.
type AuthorizeMultipleResponse struct {
	HttpStatusCode  int            `json:"HttpStatusCode"`
	ValidLoginIds   []LoginRequest `json:"ValidLoginIds"`
	InvalidLoginIds []string       `json:"InvalidLoginIds"`
}

// IneligibleCard is a saved login with scheduled refresh on that the
// nightly refresh skips, as GetNightlyRefreshStatus lists it.
type IneligibleCard struct {
	LoginId string `json:"LoginId"`
	// LastRefreshDate is when the login was last refreshed or tried, in
	// TimeLayout; null when never.
	LastRefreshDate *string `json:"LastRefreshDate"`
	// LastRefreshState is "Completed", "AnsweringSecurityChallenge" (the
	// bank asks what only the user can answer) or "Error".
	LastRefreshState string `json:"LastRefreshState"`
	// LastRefreshErrorCode is the FlinksCode of the last refresh's failure;
	// null when it succeeded.
	LastRefreshErrorCode *string `json:"LastRefreshErrorCode"`
}

// NightlyRefreshStatusResponse is the body of GET GetNightlyRefreshStatus.
type NightlyRefreshStatusResponse struct {
	HttpStatusCode  int              `json:"HttpStatusCode"`
	IneligibleCards []IneligibleCard `json:"IneligibleCards"`
}
