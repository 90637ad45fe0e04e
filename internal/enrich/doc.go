// Package enrich computes Flinks' enrichment from a login's stored data:
// the attributes (income, lending, credit risk) and the category of each
// transaction. It is pure: functions over flinks accounts and transactions,
// with the reference date passed in, so that one snapshot always gives the
// same answer and a change in the data changes it.
package enrich
