// Package archtest enforces bankfeed's dependency rules, kept as a table in
// rules.go, over the transitive dependencies that go list -deps reports.
package archtest
