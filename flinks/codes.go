package flinks

// Code is a FlinksCode: the machine-readable reason of a response.
type Code string

// The FlinksCode values bankfeed sends. Their HTTP statuses are fixed by the
// server's error table (docs/errors.md).
const (
	CodeOperationPending            Code = "OPERATION_PENDING"
	CodeOperationDispatched         Code = "OPERATION_DISPATCHED"
	CodeSessionNonexistent          Code = "SESSION_NONEXISTENT"
	CodeCardInUse                   Code = "CARD_IN_USE"
	CodeInvalidLogin                Code = "INVALID_LOGIN"
	CodeInvalidRequest              Code = "INVALID_REQUEST"
	CodeAccessDenied                Code = "ACCESS_DENIED"
	CodeInvalidUsername             Code = "INVALID_USERNAME"
	CodeInvalidPassword             Code = "INVALID_PASSWORD"
	CodeInvalidSecurityResponse     Code = "INVALID_SECURITY_RESPONSE"
	CodeQuestionNotFound            Code = "QUESTION_NOT_FOUND"
	CodeRetryLater                  Code = "RETRY_LATER"
	CodeTooManyRequests             Code = "TOO_MANY_REQUESTS"
	CodeUnknownChallengeKey         Code = "UNKNOWN_CHALLENGE_KEY"
	CodeSecurityResponsesIncomplete Code = "SECURITYRESPONSES_INCOMPLETE"
	CodeConcurrentSession           Code = "CONCURRENT_SESSION"
	CodeUnauthorized                Code = "UNAUTHORIZED"
	CodeDisabledLogin               Code = "DISABLED_LOGIN"
	CodeNewAccount                  Code = "NEW_ACCOUNT"
	CodeSessionExpired              Code = "SESSION_EXPIRED"
	CodeAlreadyAuthorized           Code = "ALREADY_AUTHORIZED"
	CodeMethodNotAvailable          Code = "METHOD_NOT_AVAILABLE"
	CodeDisabledInstitution         Code = "DISABLED_INSTITUTION"
	CodeAggregationError            Code = "AGGREGATION_ERROR"
)
