package httpapi

// base is the prefix of every Flinks route.
const base = "/v3/{customerId}/BankingServices/"

// operations are the BankingServices operations bankfeed serves, for the
// case-insensitive routing of canonicalizePath.
var operations = []string{"Authorize", "SetScheduledRefresh", "GetMFAQuestions", "AnswerMFAQuestions", "Institutions"}

// routes lists every route bankfeed serves.
func (s *Server) routes() {
	s.mux.Handle("POST "+base+"Authorize", s.adapt(s.handleAuthorize))
	s.mux.Handle("PATCH "+base+"SetScheduledRefresh", s.adapt(s.handleSetScheduledRefresh))
	s.mux.Handle("GET "+base+"GetMFAQuestions/{loginId}", s.adapt(s.handleGetMFAQuestions))
	s.mux.Handle("PATCH "+base+"AnswerMFAQuestions", s.adapt(s.handleAnswerMFAQuestions))
	s.mux.Handle("GET "+base+"Institutions", s.adapt(s.handleInstitutions))
	s.mux.Handle("GET /healthz", s.adapt(s.handleHealth))
}
