package redact

import (
	"strings"
	"testing"
)

// Every value below is an obviously fake secret made for these tests.
var (
	fakeAWSID     = "AKIAIOSFODNN7EXAMPLE"
	fakeAWSTemp   = "ASIAFAKEFAKEFAKE1234"
	fakeAWSSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	fakeGHP       = "ghp_" + strings.Repeat("x", 30) + "FAKE00"
	fakeGHO       = "gho_" + strings.Repeat("X", 32) + "1234"
	fakeGHS       = "ghs_" + strings.Repeat("f4ke", 9)
	fakeGHPAT     = "github_pat_11FAKEFAKE0" + strings.Repeat("x", 40)
	fakeGitLab    = "glpat-FAKEfake1234FAKEfake"
	fakeSlackBot  = "xoxb-1234567890-FAKEFAKEFAKE"
	fakeSlackApp  = "xapp-1-A0FAKE-1234-fakefake"
	fakeSlackHook = "https://hooks.slack.com/services/T0FAKE/B0FAKE/FAKEFAKEFAKEFAKE"
	fakeStripe    = "sk_live_FAKE" + strings.Repeat("0", 20)
	fakeStripeRK  = "rk_live_FAKE" + strings.Repeat("1", 20)
	fakeStripeT   = "sk_test_FAKE" + strings.Repeat("2", 20)
	fakeOpenAI    = "sk-FAKE" + strings.Repeat("a1", 20)
	fakeOpenAIP   = "sk-proj-FAKE" + strings.Repeat("b2", 30)
	fakeAnthropic = "sk-ant-api03-FAKEFAKE" + strings.Repeat("c3", 40) + "-AAAA"
	fakeGoogle    = "AIzaSyFAKE" + strings.Repeat("d", 29)
	fakeNPM       = "npm_FAKE" + strings.Repeat("e5", 16)
	fakePyPI      = "pypi-AgEIcHlwaS5vcmcFAKE" + strings.Repeat("f6", 30)
	fakeJWT       = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.FAKEsignatureFAKE123"
	fakeKeyBody   = "MIIEFAKEFAKEFAKEkeybody0123456789\nFAKEFAKEFAKEFAKE+/==\n"
)

func TestMaskKinds(t *testing.T) {
	tests := []struct {
		name, in, want string
		secret         string // must not survive
	}{
		{"aws id", "export AWS_ACCESS_KEY_ID=" + fakeAWSID, "export AWS_ACCESS_KEY_ID=AKIA****************", fakeAWSID},
		{"aws id bare", "key " + fakeAWSID + " here", "key AKIA**************** here", fakeAWSID},
		{"aws temp id", "id=" + fakeAWSTemp, "id=ASIA****************", fakeAWSTemp},
		{"aws secret env", "AWS_SECRET_ACCESS_KEY=" + fakeAWSSecret, "AWS_SECRET_ACCESS_KEY=" + strings.Repeat("*", 40), fakeAWSSecret},
		{"aws secret ini", "aws_secret_access_key = " + fakeAWSSecret + "\n", "aws_secret_access_key = " + strings.Repeat("*", 40) + "\n", fakeAWSSecret},
		{"aws secret json", `{"aws_secret_access_key": "` + fakeAWSSecret + `"}`, `{"aws_secret_access_key": "` + strings.Repeat("*", 40) + `"}`, fakeAWSSecret},
		{"github ghp", "git clone https://" + fakeGHP + "@github.com/x/y", "", fakeGHP},
		{"github ghp bare", "GH " + fakeGHP, "GH ghp_" + strings.Repeat("*", 36), fakeGHP},
		{"github gho", fakeGHO, "gho_" + strings.Repeat("*", 36), fakeGHO},
		{"github ghs", "t " + fakeGHS, "t ghs_" + strings.Repeat("*", 36), fakeGHS},
		{"github pat", fakeGHPAT, "github_pat_" + strings.Repeat("*", len(fakeGHPAT)-11), fakeGHPAT},
		{"gitlab", "glab auth login --stdin <<< " + fakeGitLab, "glab auth login --stdin <<< glpat-" + strings.Repeat("*", len(fakeGitLab)-6), fakeGitLab},
		{"slack bot", "SLACK=" + fakeSlackBot, "", fakeSlackBot},
		{"slack bot bare", "x " + fakeSlackBot, "x xoxb-" + strings.Repeat("*", len(fakeSlackBot)-5), fakeSlackBot},
		{"slack app", fakeSlackApp, "xapp-" + strings.Repeat("*", len(fakeSlackApp)-5), fakeSlackApp},
		{"slack webhook", "curl -X POST " + fakeSlackHook, "curl -X POST https://hooks.slack.com/services/" + strings.Repeat("*", len("T0FAKE/B0FAKE/FAKEFAKEFAKEFAKE")), "T0FAKE/B0FAKE/FAKEFAKEFAKEFAKE"},
		{"stripe live", fakeStripe, "sk_live_" + strings.Repeat("*", len(fakeStripe)-8), fakeStripe},
		{"stripe restricted", fakeStripeRK, "rk_live_" + strings.Repeat("*", len(fakeStripeRK)-8), fakeStripeRK},
		{"stripe test", fakeStripeT, "sk_test_" + strings.Repeat("*", len(fakeStripeT)-8), fakeStripeT},
		{"openai", "OPENAI " + fakeOpenAI, "OPENAI sk-" + strings.Repeat("*", len(fakeOpenAI)-3), fakeOpenAI},
		{"openai proj", fakeOpenAIP, "sk-proj-" + strings.Repeat("*", len(fakeOpenAIP)-8), fakeOpenAIP},
		{"anthropic", "ANTHROPIC " + fakeAnthropic, "ANTHROPIC sk-ant-" + strings.Repeat("*", len(fakeAnthropic)-7), fakeAnthropic},
		{"google", "key=" + fakeGoogle, "", fakeGoogle},
		{"google bare", "g " + fakeGoogle, "g AIza" + strings.Repeat("*", 35), fakeGoogle},
		{"npm", "//registry.npmjs.org/:_authToken=" + fakeNPM, "//registry.npmjs.org/:_authToken=npm_" + strings.Repeat("*", 36), fakeNPM},
		{"token env keeps prefix", "export GITHUB_TOKEN=" + fakeGHP, "export GITHUB_TOKEN=ghp_" + strings.Repeat("*", 36), fakeGHP},
		{"api key env keeps prefix", `OPENAI_API_KEY="` + fakeOpenAI + `"`, `OPENAI_API_KEY="sk-` + strings.Repeat("*", len(fakeOpenAI)-3) + `"`, fakeOpenAI},
		{"bearer keeps prefix", "Authorization: Bearer " + fakeGHO, "Authorization: Bearer gho_" + strings.Repeat("*", 36), fakeGHO},
		{"url keeps prefix", "https://x:" + fakeGHS + "@github.com/o/r", "https://x:ghs_" + strings.Repeat("*", 36) + "@github.com/o/r", fakeGHS},
		{"npm bare", "t " + fakeNPM, "t npm_" + strings.Repeat("*", 36), fakeNPM},
		{"pypi", "twine upload -p " + fakePyPI, "twine upload -p pypi-" + strings.Repeat("*", len(fakePyPI)-5), fakePyPI},
		{"jwt", "cookie " + fakeJWT, "cookie eyJ" + strings.Repeat("*", len(fakeJWT)-3), fakeJWT},
		{"private key", "-----BEGIN RSA PRIVATE KEY-----\n" + fakeKeyBody + "-----END RSA PRIVATE KEY-----\nafter",
			"-----BEGIN RSA PRIVATE KEY-----\n" + strings.Repeat("*", 33) + "\n" + strings.Repeat("*", 20) + "\n-----END RSA PRIVATE KEY-----\nafter", "FAKEFAKEFAKEFAKE+/=="},
		{"private key openssh cut", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEFAKE", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + strings.Repeat("*", 23), "b3BlbnNzaC1rZXktdjEFAKE"},
		{"url creds", "git remote add o https://bob:s3cr3tFAKE@example.com/r.git", "git remote add o https://bob:**********@example.com/r.git", "s3cr3tFAKE"},
		{"url creds postgres", "psql postgres://admin:hunter2FAKE@db:5432/app", "psql postgres://admin:***********@db:5432/app", "hunter2FAKE"},
		{"bearer header", `curl -H "Authorization: Bearer abcFAKE123.def"`, `curl -H "Authorization: Bearer **************"`, "abcFAKE123.def"},
		{"basic header", `curl -H 'Authorization: Basic Ym9iOmZha2U='`, `curl -H 'Authorization: Basic ************'`, "Ym9iOmZha2U="},
		{"bearer bare", "bearer FAKEtoken1234567890abc", "bearer " + strings.Repeat("*", 22), "FAKEtoken1234567890abc"},
		{"password kv", "mysql --password=hunter2", "mysql --password=*******", "hunter2"},
		{"password flag", "docker login --password hunter2FAKE -u bob", "docker login --password *********** -u bob", "hunter2FAKE"},
		{"passwd yaml", "passwd: fakepass", "passwd: ********", "fakepass"},
		{"secret json", `{"client_secret": "FAKE-secret-value"}`, `{"client_secret": "*****************"}`, "FAKE-secret-value"},
		{"token env", "export GITHUB_TOKEN=fakefakefake", "export GITHUB_TOKEN=************", "fakefakefake"},
		{"api_key", "api_key='fake key 1'", "api_key='**** *** *'", "fake key 1"},
		{"apikey", "APIKEY=FAKE0000", "APIKEY=********", "FAKE0000"},
		{"access_key", "access_key: fakeAccess", "access_key: **********", "fakeAccess"},
		{"secret go", `secret := "fakesecret"`, `secret := "**********"`, "fakesecret"},
		{"json escaped quote", `{"password": "ab\"cdFAKE"}`, `{"password": "**********"}`, `cdFAKE`},
		{"inside a json string", `{"command":"export TOKEN=\"abcFAKE\" && run"}`, `{"command":"export TOKEN=\"*******\" && run"}`, "abcFAKE"},
		{"json in json", `{"args":"{\"password\": \"hunterFAKE\"}"}`, `{"args":"{\"password\": \"**********\"}"}`, "hunterFAKE"},
		{"json newline", `{"content":"DB_PASSWORD=abcFAKE\nAPI_KEY=defFAKE\n"}`, `{"content":"DB_PASSWORD=*******\nAPI_KEY=*******\n"}`, "FAKE"},
		{"query string", "https://api.example.com/v1?token=fake123&page=2", "https://api.example.com/v1?token=*******&page=2", "fake123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Mask(tt.in)
			if tt.want != "" && got != tt.want {
				t.Errorf("Mask(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if strings.Contains(got, tt.secret) {
				t.Errorf("Mask(%q) = %q still holds the secret", tt.in, got)
			}
			if len(got) != len(tt.in) {
				t.Errorf("Mask changed the length: %d -> %d", len(tt.in), len(got))
			}
			if again := Mask(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
			if len(Secrets(tt.in)) == 0 {
				t.Errorf("Secrets(%q) found nothing", tt.in)
			}
		})
	}
}

// Harmless text must come out byte for byte.
func TestMaskLeavesOrdinaryText(t *testing.T) {
	for _, s := range []string{
		"",
		"git log --oneline -n 5",
		"git checkout 3f786850e387550fdab836ed7e6dc881de23001b",
		"docker run --rm 123e4567-e89b-12d3-a456-426614174000",
		"password=",
		`password=""`,
		"password= ",
		"the token is invalid; please get a new token from the dashboard",
		"we pass the secret sauce to the key function",
		"max_tokens=4096 temperature=0.2",
		"--password-stdin < pw.txt",
		"echo $PASSWORD | docker login --password-stdin",
		"export PASSWORD=$DB_PASSWORD",
		"token: ${{ secrets.GITHUB_TOKEN }}",
		"def login(password: str, token: None) -> bool:",
		`if password == "" { return errEmpty }`,
		"password := getPassword()",
		"cfg.Token = os.Getenv(\"TOKEN\")",
		"ls -la ~/.ssh && cat ~/.ssh/known_hosts",
		"go test ./... -run TestAuthorization -count=1",
		"pip install scikit-learn sk-video-something-long-name",
		"npm_config_cache=/tmp/npm",
		"ssh git@github.com:org/repo.git",
		"https://example.com/path?page=2&sort=asc",
		"--- FAIL: TestToken (0.00s)\n    token_test.go:12: got 3 want 4",
		"Basic authentication is disabled",
		"bearer tokens expire after an hour",
		"primary_key=True, sort_key=name",
		"AKIA is the prefix of AWS key ids",
		"eyJ is how base64 JSON starts",
		"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEFAKE\n-----END PUBLIC KEY-----",
		"héllo wörld ✓ 日本語",
		"secretName: my-tls\nkind: Secret\ntoken_type: bearer\npasswordless: true",
		"fmt.Println(map[key:value monkey:1])",
		"AWS_ACCESS_KEY_ID_FILE=/run/secrets/aws",
		"-\tpassword := os.Getenv(\"DB_PASSWORD\")",
		"curl -u \"$USER:$TOKEN\" https://$HOST/api",
		"https://user@example.com/repo.git",
		"password=ghp_******", // already masked: Mask's own output
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	} {
		if got := Mask(s); got != s {
			t.Errorf("Mask(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestSecrets(t *testing.T) {
	s := "a " + fakeAWSID + " b " + fakeGHP
	fs := Secrets(s)
	if len(fs) != 2 {
		t.Fatalf("Secrets = %+v, want 2 findings", fs)
	}
	if fs[0].Kind != "aws-access-key" || s[fs[0].Start:fs[0].End] != fakeAWSID || fs[0].Live {
		t.Errorf("first finding %+v (AWS's documented example key is not live)", fs[0])
	}
	if fs[1].Kind != "github-token" || s[fs[1].Start:fs[1].End] != fakeGHP || fs[1].Live {
		t.Errorf("second finding %+v (a FAKE token is not live)", fs[1])
	}
	if Secrets("git status") != nil || !Contains(s) || Contains("git status") {
		t.Error("Secrets/Contains wrong on plain text")
	}
}

func TestMaskNoAllocWithoutSecrets(t *testing.T) {
	s := "go test ./... -run TestFoo -count=1 && git commit -m 'fix the parser'"
	if n := testing.AllocsPerRun(100, func() { _ = Mask(s) }); n != 0 {
		t.Errorf("Mask allocated %v times on plain text", n)
	}
}

// generated builds a secret of a given kind from fuzz bytes; the body uses
// only characters the kind's format allows.
func generated(kind byte, body []byte) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	pick := func(alpha string, n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			c := byte(i * 7)
			if len(body) > 0 {
				c = body[i%len(body)] + byte(i)
			}
			b.WriteByte(alpha[int(c)%len(alpha)])
		}
		return b.String()
	}
	switch kind % 12 {
	case 0:
		return "AKIA" + pick(upper, 16)
	case 1:
		return "ghp_" + pick(alnum, 36)
	case 2:
		return "glpat-" + pick(alnum, 20)
	case 3:
		return "xoxb-" + pick(alnum, 24)
	case 4:
		return "sk_live_" + pick(alnum, 24)
	case 5:
		return "sk-ant-api03-" + pick(alnum, 40)
	case 6:
		return "sk-proj-" + pick(alnum, 40) + "9"
	case 7:
		return "AIza" + pick(alnum, 35)
	case 8:
		return "npm_" + pick(alnum, 36)
	case 9:
		return "eyJ" + pick(alnum, 10) + ".eyJ" + pick(alnum, 12) + "." + pick(alnum, 16)
	case 10:
		return "pypi-" + pick(alnum, 60)
	default:
		return "github_pat_" + pick(alnum, 40)
	}
}

func FuzzMask(f *testing.F) {
	f.Add("git push --force origin main", byte(0), []byte("x"))
	f.Add("export TOKEN=", byte(1), []byte("abc"))
	f.Add("password=hunter2 AKIA", byte(5), []byte{0, 1, 2})
	f.Add("-----BEGIN PRIVATE KEY-----\n", byte(9), []byte("zz"))
	f.Add("https://u:p@h/ Authorization: Bearer ", byte(3), []byte("\xff"))
	f.Fuzz(func(t *testing.T, text string, kind byte, body []byte) {
		// Arbitrary text: no panic, same length, idempotent.
		m := Mask(text)
		if len(m) != len(text) {
			t.Fatalf("length changed: %q -> %q", text, m)
		}
		if mm := Mask(m); mm != m {
			t.Fatalf("not idempotent: %q -> %q -> %q", text, m, mm)
		}
		// A generated secret inside the text never survives.
		secret := generated(kind, body)
		half := len(text) / 2
		s := text[:half] + " " + secret + " " + text[half:]
		ms := Mask(s)
		if strings.Contains(ms, secret) {
			t.Fatalf("secret %q survived in %q", secret, ms)
		}
		if mm := Mask(ms); mm != ms {
			t.Fatalf("not idempotent: %q -> %q", ms, mm)
		}
	})
}

const typicalCommand = `cd /home/dev/project && go test ./... -run 'TestParse|TestLex' -count=1 2>&1 | tail -n 50`

func BenchmarkMaskPlain(b *testing.B) {
	for b.Loop() {
		_ = Mask(typicalCommand)
	}
}

func BenchmarkMaskKeywordNoSecret(b *testing.B) {
	s := `curl -s -H "Accept: application/json" https://api.example.com/v1/items?page=2 | jq '.token_count'`
	for b.Loop() {
		_ = Mask(s)
	}
}

func BenchmarkMaskSecret(b *testing.B) {
	s := `curl -H "Authorization: Bearer ` + fakeGHP + `" https://api.github.com/user`
	for b.Loop() {
		_ = Mask(s)
	}
}

// The prefilter compares lower-cased text with the keywords and tracks rules
// in a 64-bit set.
func TestRuleTable(t *testing.T) {
	if len(rules) > 64 {
		t.Fatalf("%d rules: the candidate set holds 64", len(rules))
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if r.ID == "" || seen[r.ID] {
			t.Errorf("rule id %q is empty or repeated", r.ID)
		}
		seen[r.ID] = true
		if len(r.Keywords) == 0 {
			t.Errorf("%s: no keywords, the rule would never run", r.ID)
		}
		for _, k := range r.Keywords {
			if k != strings.ToLower(k) || len(k) < 2 {
				t.Errorf("%s: keyword %q must be lower-case and at least two bytes (the prefilter's pair table)", r.ID, k)
			}
		}
	}
}

func TestMaskRegion(t *testing.T) {
	tok := "ghp_" + strings.Repeat("q1W2", 9)
	s := "echo" + strings.Repeat(" ", 4852) + " " + tok + " > /tmp/out.txt"
	at := strings.Index(s, tok)
	for _, cut := range []int{at + 1, at + 10, at + 39, at + len(tok), len(s)} {
		got := MaskRegion(s, 0, cut)
		if want := Mask(s)[:cut]; got != want {
			t.Errorf("MaskRegion(s, 0, %d) differs from Mask(s)[:%d]", cut, cut)
		}
		if strings.Contains(got, tok[4:8]) {
			t.Errorf("cut at %d shows part of the token: %q", cut, got[at:])
		}
	}
	// A region far from both ends of a long text.
	long := strings.Repeat("x ", 3*Margin) + tok + strings.Repeat(" y", 3*Margin)
	at = strings.Index(long, tok)
	if got := MaskRegion(long, at+2, at+20); got != "p_"+strings.Repeat("*", 16) {
		t.Errorf("middle region = %q", got)
	}
	// lo and hi move back to rune starts: 2 is inside é, so [1:4].
	if got := MaskRegion("héllo", 2, 4); got != "él" {
		t.Errorf("rune alignment: %q", got)
	}
}
