// Package archtest holds the test that enforces bankfeed's dependency rules:
// the public packages stay importable by third parties, and only the
// composition root chooses a database or a connector.
package archtest
