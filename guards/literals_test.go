package guards

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"
)

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`^~/\.ssh/id_[^/]*$`, []string{"~/.ssh/id_"}},
		{`(?i)ignore (all )?previous`, []string{"ignore all previous", "ignore previous"}},
		{`^/dev/(sd|nvme|hd)`, []string{"/dev/hd", "/dev/nvme", "/dev/sd"}},
		{`(^|/)[^/ ]*\.(key|ppk|p8)$|(^|/)[^/ ]*(priv|private|key)[^/ ]*\.pem$`, []string{".key", ".p8", ".pem", ".ppk"}},
		{`(?i)s[a-z]*udo`, []string{"udo"}},
		{`(sd|nvme)[0-9]`, []string{"nvme", "sd"}},
		{`a|b*`, nil},
		{`[a-z]+`, nil},
		{`x?`, nil},
		{`(^| )-[a-z]*f`, nil},
		{`(^| )--force( |$)`, []string{"--force"}},
		{`(?=lookahead)`, nil},
		{`AKIA[A-Z0-9]{16}`, []string{"akia"}},
		{`(ab){2,}`, []string{"ab"}},
	}
	for _, tt := range tests {
		if got := RequiredLiterals(tt.expr); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("RequiredLiterals(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// FuzzRequiredLiterals: whenever a regex matches a text, one of its required
// literals occurs in the lower-cased text.
func FuzzRequiredLiterals(f *testing.F) {
	f.Add(`^~/\.ssh/(id_|identity)`, "cat ~/.ssh/id_rsa")
	f.Add(`(?i)DROP\s+TABLE`, "drop   table x")
	f.Add(`(a|bc)+d`, "xxbcbcd")
	f.Fuzz(func(t *testing.T, expr, text string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		lits := RequiredLiterals(expr)
		if lits == nil || !re.MatchString(text) {
			return
		}
		if !containsAnyLower(strings.ToLower(text), lits) {
			t.Fatalf("%q matches %q but none of %q occurs", expr, text, lits)
		}
	})
}

func TestRequiredLiterals2(t *testing.T) {
	tests := []struct {
		expr string
		want [][]string
	}{
		{`^(?=.*(?:^| )--force(?: |$))(?=.*(?:^| )(?:main|master)(?: |$))`, [][]string{{"--force"}, {"main", "master"}}},
		{`\b(?:AKIA|ASIA)(?![A-Z0-9]*EXAMPLE)[A-Z0-9]{16}\b`, [][]string{{"akia", "asia"}}},
		{`(?i)^(?!.*--dry-run)(?=.*\bdelete\b)`, [][]string{{"delete"}}},
		{`(?<=postgres://)[^:]+:[^@]+@`, [][]string{{"postgres://"}}},
		{`(?!x)`, nil},
		{`(unbalanced`, nil},
		// Lookaheads in alternation branches are not required one by one.
		{`^(?:(?=.*alpha)|(?=.*beta)(?=.*gamma))`, nil},
		{`^(?=.*delete)(?:(?=.*alpha)|(?=.*beta))`, [][]string{{"delete"}}},
		{`^(?:(?=.*--force))?x`, nil},
	}
	for _, tt := range tests {
		if got := RequiredLiterals2(tt.expr); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("RequiredLiterals2(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// FuzzRequiredLiterals2: whenever a regexp2 pattern matches a text, one of
// the literals derived for it occurs in the lower-cased text.
func FuzzRequiredLiterals2(f *testing.F) {
	f.Add(`^(?=.*--force)(?=.*main)`, "git push --force origin main")
	f.Add(`(?<=://)[a-z]+(?!x)`, "https://host")
	f.Add(`(?i)(?=.*DROP)(?!.*WHERE)`, "drop table x")
	f.Add(`^(?:(?=.*ab)|(?=.*cd)(?=.*ef))`, "xcdef")
	f.Add(`(?=.*x)(?:(?=.*ab)|cd)+`, "xcd")
	f.Add(`(?:(?=ab)a|c)*d`, "ccd")
	f.Fuzz(func(t *testing.T, expr, text string) {
		re, err := regexp2.Compile(expr, regexp2.RE2)
		if err != nil {
			return
		}
		re.MatchTimeout = time.Second
		lits := RequiredLiterals2(expr)
		if lits == nil {
			return
		}
		if ok, err := re.MatchString(text); err != nil || !ok {
			return
		}
		if !hasLiterals(strings.ToLower(text), lits) {
			t.Fatalf("%q matches %q but not every group of %q occurs", expr, text, lits)
		}
	})
}
