package e2e

import (
	"testing"

	"github.com/bulwark-guard/bulwark/redact"
)

// TestFakeSecretsAreLive: the suite's fake secrets must be ones bulwark
// treats as live, or the post-secret cases would pass for the wrong reason
// (an example key such as AKIAIOSFODNN7EXAMPLE or one with FAKE in it is
// masked but never flagged). Runs without the clients.
func TestFakeSecretsAreLive(t *testing.T) {
	for _, c := range []struct{ name, value, kind string }{
		{"fakeAWSKey", fakeAWSKey, "aws-access-key"},
		{"mcpFakeKey", mcpFakeKey, "aws-access-key"},
		{"fakeSSHKey", fakeSSHKey, "private-key"},
	} {
		live := false
		for _, f := range redact.Secrets("exported KEY=" + c.value + "\n") {
			if f.Kind == c.kind && f.Live {
				live = true
			}
		}
		if !live {
			t.Errorf("%s is not a live %s to bulwark (an example or placeholder form?): the cases that use it prove nothing", c.name, c.kind)
		}
	}
}
