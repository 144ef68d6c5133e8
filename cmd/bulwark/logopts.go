package main

import (
	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/config"
)

// logOptions turns config.toml's [log] table into audit options; zero
// values keep audit's defaults (10 MiB per file, 5 rotated files, allowed
// calls logged too).
func logOptions(c config.LogConfig) audit.Options {
	return audit.Options{MaxBytes: c.MaxBytes, Keep: c.Keep, OnlyNonAllow: c.OnlyNonAllow}
}
