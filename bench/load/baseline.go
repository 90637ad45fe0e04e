package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// The baseline is a minimal net/http server that answers the requests of
// the workloads with the bytes bankfeed answered them with (the recording
// of provision), and does no other work: it reads the request body, finds
// the one field that says which reply it wants, and writes that reply as
// bankfeed writes its own (the same headers, one Write of the body). It
// runs as a process of its own, the harness's binary started again with
// roleEnv set, so that it has a runtime of its own as bankfeed has, and its
// measurement is bankfeed's in every way but the server.
const (
	roleEnv      = "BANKFEED_LOAD_ROLE"
	roleBaseline = "baseline"
	recordingEnv = "BANKFEED_LOAD_RECORDING"
)

// baselineMain runs the baseline server until SIGINT or SIGTERM. It logs
// its address as bankfeed does, for startProcess.
func baselineMain(stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := serveBaseline(log); err != nil {
		log.Error("baseline", "err", err)
		return 1
	}
	return 0
}

func serveBaseline(log *slog.Logger) error {
	rec, err := loadRecording(os.Getenv(recordingEnv))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: baselineHandler(rec), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("baseline listening", "addr", "http://"+ln.Addr().String(), "replies", len(rec))
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// baselineHandler answers from rec.
func baselineHandler(rec recording) http.Handler {
	const base = "/v3/{customerId}/BankingServices/"
	// fields are the fields of the requests that choose a reply.
	type fields struct{ LoginId, Username, RequestId string }
	read := func(r *http.Request) (fields, error) {
		var f fields
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = json.Unmarshal(body, &f)
		}
		return f, err
	}
	reply := func(w http.ResponseWriter, key string) {
		rep, ok := rec[key]
		if !ok {
			rep = reply{Status: http.StatusNotFound, Body: []byte(`{"HttpStatusCode":404,"FlinksCode":"SESSION_NONEXISTENT","Message":"not in the baseline's recording"}` + "\n")}
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(rep.Status)
		w.Write(rep.Body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+base+"Authorize", func(w http.ResponseWriter, r *http.Request) {
		f, err := read(r)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		case f.RequestId != "":
			reply(w, keyAnswer(f.RequestId))
		case f.LoginId != "":
			reply(w, keyCached(f.LoginId))
		default:
			reply(w, keyLogin(f.Username))
		}
	})
	mux.HandleFunc("POST "+base+"GetAccountsDetail", func(w http.ResponseWriter, r *http.Request) {
		f, err := read(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		reply(w, keyDetail(f.RequestId))
	})
	mux.HandleFunc("GET "+base+"GetAccountsDetailAsync/{requestId}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, keyDetail(r.PathValue("requestId")))
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"HttpStatusCode":200}`)
	})
	return mux
}
