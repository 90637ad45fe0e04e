package flinks

// Link is one entry of a response's Links. Its keys are lower-case on the
// wire, unlike every other key of the API.
type Link struct {
	Rel     string  `json:"rel"`
	Href    string  `json:"href"`
	Example *string `json:"example"`
}

// ChallengeType names the kind of a security challenge.
type ChallengeType string

// The challenge types of the Flinks API and the seed's special flows.
const (
	QuestionAndAnswer             ChallengeType = "QuestionAndAnswer"
	MultipleChoice                ChallengeType = "MultipleChoice"
	MultipleChoiceMultipleAnswers ChallengeType = "MultipleChoiceMultipleAnswers"
	ImageSelection                ChallengeType = "ImageSelection"
	TextOrCall                    ChallengeType = "TextOrCall"
	WaitUntilEUAccept             ChallengeType = "WaitUntilEUAccept"
)

// SecurityChallenge is one MFA prompt of a 203 response. Every challenge of a
// response is answered in the same call, keyed by its Prompt.
type SecurityChallenge struct {
	Type      ChallengeType `json:"Type"`
	Prompt    string        `json:"Prompt"`
	Iterables []string      `json:"Iterables,omitempty"`
}

// Login describes the saved connection (card) behind a session.
type Login struct {
	Username           string  `json:"Username"`
	IsScheduledRefresh bool    `json:"IsScheduledRefresh"`
	LastRefresh        *string `json:"LastRefresh"`
	Type               *string `json:"Type"`
	// Id is the LoginId.
	Id string `json:"Id"`
}

// AuthorizeRequest is the body of POST /Authorize. One request is one of:
//   - a live login with credentials: Institution, Username, Password;
//   - a reopen of a saved login: LoginId, with MostRecentCached true for the
//     cached data or false to log in again with the stored credentials;
//   - an answer to an MFA round: RequestId and SecurityResponses.
type AuthorizeRequest struct {
	Institution string `json:"Institution,omitempty"`
	Username    string `json:"Username,omitempty"`
	Password    string `json:"Password,omitempty"`
	LoginId     string `json:"LoginId,omitempty"`
	// MostRecentCached selects the cached mode of a LoginId reopen. It is
	// always sent: absent reads as false (live), as in the Python client.
	MostRecentCached  Bool              `json:"MostRecentCached"`
	Save              Bool              `json:"Save,omitempty"`
	ScheduleRefresh   Bool              `json:"ScheduleRefresh,omitempty"`
	WithMfaQuestions  Bool              `json:"WithMfaQuestions,omitempty"`
	Language          string            `json:"Language,omitempty"`
	Tag               string            `json:"Tag,omitempty"`
	RequestId         string            `json:"RequestId,omitempty"`
	SecurityResponses SecurityResponses `json:"SecurityResponses,omitempty"`
	// AuthorizeToken is the body form of the authorize token, which most
	// clients send in the flinks-auth-key header instead.
	AuthorizeToken string `json:"authorizeToken,omitempty"`
}

// AuthorizeResponse is the body of a 200 or 203 answer from /Authorize.
// A 203 carries SecurityChallenges; a 200 carries Login.
type AuthorizeResponse struct {
	Links              []Link              `json:"Links"`
	HttpStatusCode     int                 `json:"HttpStatusCode"`
	SecurityChallenges []SecurityChallenge `json:"SecurityChallenges,omitempty"`
	Login              *Login              `json:"Login,omitempty"`
	Institution        string              `json:"Institution"`
	InstitutionName    string              `json:"InstitutionName,omitempty"`
	InstitutionId      int                 `json:"InstitutionId,omitempty"`
	RequestId          string              `json:"RequestId"`
	Tag                string              `json:"Tag,omitempty"`
}

// Error is the body of every error response. FlinksCode and Message are
// always set; RequestId is set when the request belongs to a session.
type Error struct {
	HttpStatusCode    int                 `json:"HttpStatusCode"`
	FlinksCode        Code                `json:"FlinksCode"`
	Message           string              `json:"Message"`
	RequestId         string              `json:"RequestId,omitempty"`
	Institution       string              `json:"Institution,omitempty"`
	Links             []Link              `json:"Links,omitempty"`
	ValidationDetails map[string][]string `json:"ValidationDetails,omitempty"`
	Tag               string              `json:"Tag,omitempty"`
}

// Error implements the error interface, so an *Error can be returned as is.
func (e *Error) Error() string {
	return string(e.FlinksCode) + ": " + e.Message
}

// Links of the responses, as the API sends them.
var (
	// AuthorizationLinks is the Links of a 203: answer at /Authorize.
	AuthorizationLinks = []Link{{Rel: "Authorization", Href: "/Authorize"}}
	// SessionLinks is the Links of a 200 from /Authorize.
	SessionLinks = []Link{
		{Rel: "AccountsDetail", Href: "/GetAccountsDetail"},
		{Rel: "AccountsSummary", Href: "/GetAccountsSummary"},
		{Rel: "Statements", Href: "/GetStatements"},
	}
)

// TimeLayout is the layout of LastRefresh and other timestamps on the wire:
// UTC, seven fractional digits, no zone suffix.
const TimeLayout = "2006-01-02T15:04:05.0000000"

// Challenged reports whether the response is a 203 asking SecurityChallenges.
func (r *AuthorizeResponse) Challenged() bool { return r.HttpStatusCode == 203 }

// AuthorizeTokenResponse is the 200 of /GenerateAuthorizeToken.
type AuthorizeTokenResponse struct {
	HttpStatusCode int
	// Token is a single-use authorize token, valid for 30 minutes: send it
	// in the flinks-auth-key header of /Authorize, and again on the
	// follow-up rounds of the RequestId it opened.
	Token string
}
