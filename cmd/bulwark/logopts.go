package main

import "github.com/bulwark-guard/bulwark/audit"

// logOptions are the audit log settings; the zero value is audit's defaults.
// (User configuration may override them.)
var logOptions = func() audit.Options { return audit.Options{} }
