package connector

import "github.com/bankfeed/bankfeed/flinks"

// FlinksCode is the FlinksCode clients expect for a failure of the kind.
// (Placeholder until the connector branch lands.)
func (k Kind) FlinksCode() flinks.Code {
	switch k {
	case InvalidUsername:
		return flinks.CodeInvalidUsername
	case InvalidPassword:
		return flinks.CodeInvalidPassword
	case InvalidSecurityResponse:
		return flinks.CodeInvalidSecurityResponse
	case RetryLater:
		return flinks.CodeRetryLater
	case DisabledLogin:
		return flinks.CodeDisabledLogin
	case NewAccount:
		return flinks.CodeNewAccount
	case DisabledInstitution:
		return flinks.CodeDisabledInstitution
	case NeedsUser:
		return flinks.CodeQuestionNotFound
	case Unauthorized:
		return flinks.CodeUnauthorized
	}
	return flinks.CodeAggregationError
}
