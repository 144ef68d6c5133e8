package redact

import (
	"strings"
	"testing"
)

// bigText is n bytes of tool output dense with the keywords of generic
// rules (key, token, secret, password, Authorization) but no secret.
func bigText(n int) string {
	lines := []string{
		`{"id": 42, "name": "widget", "key": "value", "token_count": 17, "tags": ["a", "b"]}`,
		`ok  	github.com/acme/api/internal/auth	0.412s`,
		`2024-01-02T03:04:05Z INFO request path=/v1/items status=200 token=abc secret_name=x`,
		`    password: ${DB_PASSWORD}   # see https://docs.example.com/config?page=2`,
		`func (s *Server) Authorization(ctx context.Context) error { return s.keys.Check(ctx) }`,
		`-rw-r--r--  1 dev dev  4096 Jan  2 03:04 settings.json`,
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(lines[i%len(lines)])
		b.WriteByte('\n')
	}
	return b.String()
}

func BenchmarkFind8MiB(b *testing.B) {
	s := bigText(8 << 20)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		find(s)
	}
}

func BenchmarkPrefilter8MiB(b *testing.B) {
	s := bigText(8 << 20)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		var h hits
		candidates(s, &h)
	}
}
