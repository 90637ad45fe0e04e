package httpapi

import "github.com/bankfeed/bankfeed/internal/authorize"

// base is the prefix of every Flinks route.
const base = "/v3/{customerId}/BankingServices/"

// operations are the BankingServices operations bankfeed serves, for the
// case-insensitive routing of canonicalizePath.
var operations = []string{"Authorize", "SetScheduledRefresh", "GetMFAQuestions", "AnswerMFAQuestions", "Institutions",
	"GetAccountsDetail", "GetAccountsDetailAsync", "GetAccountsSummary", "GetAccountsSummaryAsync",
	"GetStatements", "GetStatementsAsync", "DeleteCard", "AuthorizeMultiple"}

// routes lists every route bankfeed serves.
func (s *Server) routes() {
	s.mux.Handle("POST "+base+"Authorize", s.adapt(s.handleAuthorize))
	s.mux.Handle("PATCH "+base+"SetScheduledRefresh", s.adapt(s.handleSetScheduledRefresh))
	s.mux.Handle("GET "+base+"GetMFAQuestions/{loginId}", s.adapt(s.handleGetMFAQuestions))
	s.mux.Handle("PATCH "+base+"AnswerMFAQuestions", s.adapt(s.handleAnswerMFAQuestions))
	s.mux.Handle("GET "+base+"Institutions", s.adapt(s.handleInstitutions))
	s.mux.Handle("POST "+base+"AuthorizeMultiple", s.adapt(s.handleAuthorizeMultiple))
	s.mux.Handle("DELETE "+base+"DeleteCard/{loginId}", s.adapt(s.handleDeleteCard))
	for op, serve := range map[authorize.Op]dataFunc{
		authorize.OpAccountsDetail:  erase(s.data.AccountsDetail),
		authorize.OpAccountsSummary: erase(s.data.AccountsSummary),
		authorize.OpStatements:      erase(s.data.Statements),
	} {
		name := string(op)
		s.mux.Handle("POST "+base+name, s.adapt(s.dataHandler(op, serve, false)))
		// The *Async twins: GET continues the call answered 202; POST, as
		// some clients send it, may carry the options again.
		s.mux.Handle("GET "+base+name+"Async/{requestId}", s.adapt(s.dataHandler(op, serve, true)))
		s.mux.Handle("POST "+base+name+"Async/{requestId}", s.adapt(s.dataHandler(op, serve, true)))
	}
	s.mux.Handle("GET /healthz", s.adapt(s.handleHealth))
}
