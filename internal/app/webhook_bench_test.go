package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
	"github.com/bankfeed/bankfeed/internal/tenants"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// BenchmarkWebhookDelivery measures deliveries per second to a receiver on
// loopback through the whole path: the delivery written with its job in
// one transaction, picked up by a River worker, signed, POSTed, its attempt
// recorded and the delivery marked delivered. Each iteration is one test
// delivery (a small body); the time runs until the receiver has them all:
//
//	go test ./internal/app -run '^$' -bench WebhookDelivery -benchtime 2000x
func BenchmarkWebhookDelivery(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			cfg := storeConfig{dataDir: b.TempDir(), sandbox: true}
			if kind == "postgres" {
				cfg.databaseURL = pgtest.NewDatabase(b)
			}
			var got atomic.Int64
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				got.Add(1)
			}))
			defer rcv.Close()
			ctx := context.Background()
			stk, err := build(ctx, buildConfig{storeConfig: cfg, webhooks: webhookConfig{timeout: webhooks.DefaultTimeout}},
				slog.New(slog.DiscardHandler), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer stk.close(context.Background())
			if err := tenants.EnsureSandbox(ctx, stk.store, time.Now()); err != nil {
				b.Fatal(err)
			}
			if _, err := stk.webhooks.Configure(ctx, tenants.SandboxCustomerID, rcv.URL, "bench-secret"); err != nil {
				b.Fatal(err)
			}
			if err := stk.startJobs(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if _, err := stk.webhooks.Test(ctx, tenants.SandboxCustomerID); err != nil {
					b.Fatal(err)
				}
			}
			for got.Load() < int64(b.N) {
				if time.Since(start) > 5*time.Minute {
					b.Fatalf("%d of %d deliveries in 5 minutes", got.Load(), b.N)
				}
				time.Sleep(time.Millisecond)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
		})
	}
}
