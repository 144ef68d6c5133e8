package packs_test

// The on = "config" guards' examples (packs/audit.toml) are set-ups that
// the audit scanner reads; linking package scan into the test binary
// registers it with guards.CheckExamples.
import _ "github.com/bulwark-guard/bulwark/scan"
