package guards

import "github.com/bulwark-guard/bulwark/redact"

// maskSecrets hides secret values in evidence before it reaches a reason, the
// audit log or a terminal.
func maskSecrets(s string) string { return redact.Mask(s) }
