package redact

// This file is bulwark's one list of secret formats. The masker (Mask) hides
// every value any rule here recognises; the output and content guards
// (packs/output.toml, packs/content.toml) name the rules whose live values
// they flag (`secrets = ["github-token"]`), so a format is written once and
// whatever a guard recognises is also masked.
//
// A rule is modelled on gitleaks': an id, a Go regexp (RE2: linear time, no
// match timeout needed), keywords that must occur before the regexp runs,
// allowlists, and its own examples, which rules_test.go runs through Mask and
// Secrets. The table is plain data (no closures, no init work); each rule's
// expressions compile the first time its keywords occur in a text.
//
// Three outcomes for a regexp match:
//   - not a secret (Allow): a reference ($VAR, ${{ secrets.X }}), code, a
//     type name; neither masked nor reported.
//   - an example (Examples, or a Live condition not met): secret-shaped but a
//     documented example, placeholder, test dummy or a partial form
//     (AKIAIOSFODNN7EXAMPLE, ghp_xxxx…, sk_test_…); masked, reported with
//     Live false, never flagged by a guard.
//   - live: masked and reported with Live true.

// Rule is one secret format.
type Rule struct {
	ID          string
	Description string
	// Keywords are lower-case literals, one of which every match contains
	// at most Back bytes after its start (or, with BackWord, in its first
	// whitespace-separated word); the expression is tried only there. Text
	// with none of them never runs it.
	Keywords []string
	Back     int
	// Assign: a keyword counts only when an assignment follows it
	// (token=, "password": ...), so prose never runs the expression.
	Assign bool
	Regex  string
	// Groups are the submatches that can hold the value: the first non-empty
	// one is the secret (none: the whole match).
	Groups []int
	// Prefixes are public prefixes that stay visible when masked (the longest
	// the value starts with), so a reader can tell the kind: AKIA, ghp_.
	Prefixes []string
	// WordStart: the match must not follow a word character (a \b the
	// expression leaves out to keep a literal prefix for the search).
	WordStart bool
	// NoCall: a value followed by '(' is code (password := getPassword()).
	NoCall bool
	// Generic rules find a value by its context (password=, Bearer,
	// user:pass@); when a token rule finds the same value, the token rule's
	// mask (which keeps the token's prefix) wins.
	Generic bool
	// MaskOnly rules are broad on purpose: what they find is masked but
	// never live (another, stricter rule decides that, or none does).
	MaskOnly bool

	Allow *Allowlist // not a secret at all
	// Live lists expressions the value must all match to be a live secret
	// of this kind; a value that does not is masked but only an example.
	Live     []string
	Examples *Allowlist // secret-shaped, but an example or placeholder

	// Test data (fake values), run by rules_test.go through Mask and Secrets:
	// each TP is found by this rule (live, unless MaskOnly) and masked; each
	// FP is not found live by this rule (it may still be masked, or found by
	// another rule).
	TP, FP []string
}

// BackWord as a Rule's Back: a match starts just before (the white space
// before, or the start of the text) the word that holds its keyword.
const BackWord = -1

// Allowlist says when a match is excused.
type Allowlist struct {
	Regexes      []string // on the value (Go regexp)
	MatchRegexes []string // on the whole match, which includes its context
	Stopwords    []string // substrings of the value (case-sensitive)
	Values       []string // whole values (case-insensitive)
}

// placeholders are the words that mark a token-shaped value as an example or
// a test dummy, as people write them in docs, fixtures and .env.example.
// Random tokens contain one of them too rarely to matter.
var placeholders = Allowlist{Stopwords: []string{
	"EXAMPLE", "Example", "example", "xxxxxxxx", "XXXXXXXX", "****", "00000000",
	"PLACEHOLDER", "Placeholder", "placeholder", "REDACTED", "Redacted", "redacted",
	"FAKE", "Fake", "fake", "DUMMY", "Dummy", "dummy",
}}

// references are generic values that name a secret instead of holding one:
// $VAR, ${{ secrets.X }}, %VAR%, <placeholder>, {{tmpl}}, and type names and
// literals of code.
var references = Allowlist{
	Regexes: []string{`^[$%<{=]`},
	Values: []string{"str", "string", "bool", "int", "none", "null", "nil", "true", "false", "undefined",
		"required", "optional", "any", "bytes", "[]byte", "secretstr"},
}

// genericKeys are the key names whose assigned value is a secret.
const genericKeys = `(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret)`

// Boundaries in RE2 terms (no lookaround): a value ends where its alphabet
// does, or at the end of the text.
const endToken = `(?:[^A-Za-z0-9_-]|$)`

var rules = [...]Rule{
	{ID: "private-key", Description: "PEM or OpenSSH private key block",
		Keywords: []string{"-----begin"},
		// The body is what follows the header in a key's alphabet (base64,
		// white space or its \n escapes in JSON, header lines such as
		// Proc-Type: ...), up to the END line or whatever ends it (the end
		// of a cut-off text, a closing quote). Live when it has a key body;
		// a header alone is code that names one.
		Regex:  `-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----((?:[A-Za-z0-9+/=\s]|\\[nr]|[A-Za-z0-9-]+: [^\n\\]*(?:\n|\\n))*)(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----)?`,
		Groups: []int{1},
		Live:   []string{`^\s*(?:[A-Za-z0-9-]+: [^\n]*\n\s*)*[A-Za-z0-9+/=]{24,}`},
		TP: []string{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----",
			"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011\n\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEe"},
		FP: []string{"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEq1W2\n-----END PUBLIC KEY-----",
			`if block.Type == "-----BEGIN RSA PRIVATE KEY-----" {`}},

	{ID: "aws-access-key", Description: "AWS access key id",
		Keywords: []string{"akia", "asia"}, WordStart: true,
		Regex: `(?:AKIA|ASIA)[A-Z0-9]{16}\b`, Prefixes: []string{"AKIA", "ASIA"},
		Examples: &placeholders,
		TP:       []string{"aws_access_key_id = AKIAQWERTYUIOPASDFGH", `{"AccessKeyId": "ASIAQ1W2E3R4T5Y6U7I8"}`},
		FP:       []string{"aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIA is the prefix of long-term AWS key ids"}},

	{ID: "aws-secret-key", Description: "AWS secret access key",
		Keywords: []string{"secret"}, Back: 4,
		Regex:    `(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key|secret-access-key)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`,
		Groups:   []int{1},
		Live:     []string{`[0-9]`, `[A-Z]`},
		Examples: &placeholders,
		TP: []string{"aws_secret_access_key = q1W2e3R4t5Y6u7I8o9P0q1W2e3R4t5Y6u7I8o9P0",
			`"SecretAccessKey": "q1W2e3R4t5Y6u7I8/o9P0q1W2e3R4t5Y6u7I8o9P",`},
		FP: []string{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}"}},

	{ID: "github-token", Description: "GitHub token (personal, OAuth, app, refresh, fine-grained)",
		Keywords: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"}, WordStart: true,
		Regex:    `(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b`,
		Prefixes: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
		Live:     []string{`^(?:gh[pousr]_|github_pat_[A-Za-z0-9_]{40})`},
		Examples: &placeholders,
		TP:       []string{"token: ghp_q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8", "oauth_token: gho_q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8"},
		FP:       []string{"set GH_TOKEN to a ghp_ token", "ghp_short", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}},

	{ID: "gitlab-token", Description: "GitLab personal, deploy, runner, trigger, service-account or feed token",
		Keywords: []string{"glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glft-"}, WordStart: true,
		Regex:    `gl(?:pat|dt|rt|ptt|soat|ft)-[A-Za-z0-9_-]{20,}`,
		Prefixes: []string{"glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glft-"},
		Examples: &placeholders,
		TP:       []string{"GITLAB_TOKEN=glpat-q1W2e3R4t5Y6u7I8o9P0", "runner token: glrt-q1W2e3R4t5Y6u7I8o9P0a1"},
		FP:       []string{"GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx", "Personal access tokens start with glpat-"}},

	{ID: "slack-token", Description: "Slack bot, user, app or refresh token",
		Keywords: []string{"xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xapp-"}, WordStart: true,
		Regex:    `(?:xox[abprs]|xapp)-[A-Za-z0-9-]{10,}`,
		Prefixes: []string{"xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xapp-"},
		Live:     []string{`^(?:xox[abprs]-[0-9A-Za-z-]{20,}|xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,})`},
		Examples: &placeholders,
		TP:       []string{"SLACK_BOT_TOKEN=xoxb-1234567890-0987654321-QwErTyUiOpAsDfGhJkLz"},
		FP:       []string{"SLACK_BOT_TOKEN=xoxb-xxxxxxxxxxxx-xxxxxxxxxxxx", "Bot tokens start with xoxb-", "xoxb-12345678"}},

	{ID: "slack-webhook", Description: "Slack incoming-webhook URL",
		Keywords: []string{"hooks.slack.com"},
		Regex:    `hooks\.slack\.com/services/[A-Za-z0-9/_-]+`,
		Prefixes: []string{"hooks.slack.com/services/"},
		Live:     []string{`^hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}`},
		Examples: &placeholders,
		TP:       []string{"url = https://hooks.slack.com/services/T01ABCDEFGH/B02ABCDEFGH/q1W2e3R4t5Y6u7I8o9P0a1S2"},
		FP:       []string{"https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"}},

	{ID: "stripe-key", Description: "Stripe secret or restricted key (live keys are live; test keys are masked only)",
		Keywords: []string{"_live_", "_test_"}, Back: 2, WordStart: true,
		Regex:    `[rs]k_(?:live|test)_[A-Za-z0-9]{10,}`,
		Prefixes: []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_"},
		Live:     []string{`^[rs]k_live_[0-9A-Za-z]{20,}`},
		Examples: &placeholders,
		TP:       []string{"STRIPE_SECRET_KEY=sk_live_51Hq2w3E4r5T6y7U8i9O0pAbCdEfGh"},
		FP:       []string{"STRIPE_SECRET_KEY=sk_test_51Hq2w3E4r5T6y7U8i9O0pAbCdEfGh", "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", "Live keys start with sk_live_"}},

	{ID: "stripe-webhook-secret", Description: "Stripe webhook signing secret",
		Keywords: []string{"whsec_"}, WordStart: true,
		Regex: `whsec_[A-Za-z0-9]{24,}`, Prefixes: []string{"whsec_"},
		Examples: &placeholders,
		TP:       []string{"STRIPE_WEBHOOK_SECRET=whsec_q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6"},
		FP:       []string{"STRIPE_WEBHOOK_SECRET=whsec_xxxxxxxxxxxxxxxxxxxxxxxxxxxx"}},

	{ID: "anthropic-key", Description: "Anthropic API key",
		Keywords: []string{"sk-ant-"}, WordStart: true,
		Regex: `sk-ant-[A-Za-z0-9_-]{20,}`, Prefixes: []string{"sk-ant-"},
		Live:     []string{`^sk-ant-[a-z]+\d*-[A-Za-z0-9_-]{40,}`},
		Examples: &placeholders,
		TP:       []string{"ANTHROPIC_API_KEY=sk-ant-api03-q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6q1W2"},
		FP:       []string{"ANTHROPIC_API_KEY=sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "keys look like sk-ant-api03-..."}},

	{ID: "openai-key", Description: "OpenAI API key (project, service-account, admin or legacy)",
		Keywords: []string{"sk-"}, WordStart: true,
		Regex:    `sk-[A-Za-z0-9_-]{20,}`,
		Prefixes: []string{"sk-", "sk-proj-", "sk-svcacct-", "sk-admin-"},
		// Anthropic keys have their own rule; a kebab-case word such as
		// sk-some-long-package-name has no digit.
		Allow:    &Allowlist{Regexes: []string{`^sk-ant-`, `^[^0-9]*$`}},
		Live:     []string{`^sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}$)`},
		Examples: &placeholders,
		TP:       []string{"OPENAI_API_KEY=sk-proj-q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6"},
		FP:       []string{"OPENAI_API_KEY=sk-proj-...", "pip install sk-video-something-long-name"}},

	{ID: "google-api-key", Description: "Google API key",
		Keywords: []string{"aiza"}, WordStart: true,
		Regex: `AIza[0-9A-Za-z_-]{35}`, Prefixes: []string{"AIza"},
		Examples: &placeholders,
		TP:       []string{`apiKey: "AIzaSyQ1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J"`},
		FP:       []string{"apiKey: process.env.GOOGLE_API_KEY", "keys start with AIza"}},

	{ID: "npm-token", Description: "npm access token",
		Keywords: []string{"npm_"}, WordStart: true,
		Regex: `npm_[A-Za-z0-9]{36}\b`, Prefixes: []string{"npm_"},
		Examples: &placeholders,
		TP:       []string{"//registry.npmjs.org/:_authToken=npm_q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8"},
		FP:       []string{"npm_config_cache=/home/dev/.npm", "npm_package_version=1.2.3", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}"}},

	{ID: "pypi-token", Description: "PyPI upload token",
		Keywords: []string{"pypi-"}, WordStart: true,
		Regex: `pypi-[A-Za-z0-9_-]{50,}`, Prefixes: []string{"pypi-"},
		Live:     []string{`^pypi-AgEIcHlwaS5vcmc`},
		Examples: &placeholders,
		TP:       []string{"password = pypi-AgEIcHlwaS5vcmcq1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6"},
		FP:       []string{"pip download pypi-simple-index"}},

	{ID: "rubygems-token", Description: "RubyGems API key",
		Keywords: []string{"rubygems_"},
		Regex:    `(rubygems_[a-f0-9]{48})` + endToken, Groups: []int{1}, Prefixes: []string{"rubygems_"},
		Examples: &placeholders,
		TP:       []string{"GEM_HOST_API_KEY=rubygems_0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071"},
		FP:       []string{"rubygems_version: 3.4"}},

	{ID: "huggingface-token", Description: "Hugging Face access token",
		Keywords: []string{"hf_"},
		Regex:    `(hf_[A-Za-z]{34})` + endToken, Groups: []int{1}, Prefixes: []string{"hf_"},
		Examples: &placeholders,
		TP:       []string{"HF_TOKEN=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"},
		FP:       []string{"hf_hub_download(repo_id='x')"}},

	{ID: "digitalocean-token", Description: "DigitalOcean personal, OAuth or refresh token",
		Keywords: []string{"dop_v1_", "doo_v1_", "dor_v1_"},
		Regex:    `(do[por]_v1_[a-f0-9]{64})` + endToken, Groups: []int{1},
		Prefixes: []string{"dop_v1_", "doo_v1_", "dor_v1_"},
		Examples: &placeholders,
		TP:       []string{"DIGITALOCEAN_TOKEN=dop_v1_0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"},
		FP:       []string{"dop_v1_ is the prefix of DigitalOcean tokens"}},

	{ID: "shopify-token", Description: "Shopify access, custom-app, partner or shared secret",
		Keywords: []string{"shpat_", "shpca_", "shppa_", "shpss_"},
		Regex:    `(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})` + endToken, Groups: []int{1},
		Prefixes: []string{"shpat_", "shpca_", "shppa_", "shpss_"},
		Examples: &placeholders,
		TP:       []string{"SHOPIFY_TOKEN=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"},
		FP:       []string{"shpat_ tokens are admin tokens"}},

	{ID: "grafana-token", Description: "Grafana Cloud or service-account token",
		Keywords: []string{"glc_", "glsa_"},
		Regex:    `(glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[a-f0-9]{8})` + endToken, Groups: []int{1},
		Prefixes: []string{"glc_", "glsa_"},
		Examples: &placeholders,
		TP:       []string{"GRAFANA_TOKEN=glsa_q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6_0a1b2c3d"},
		FP:       []string{"glc_ tokens belong to Grafana Cloud"}},

	{ID: "linear-key", Description: "Linear API key",
		Keywords: []string{"lin_api_"},
		Regex:    `(lin_api_[A-Za-z0-9]{40})` + endToken, Groups: []int{1}, Prefixes: []string{"lin_api_"},
		Examples: &placeholders,
		TP:       []string{"LINEAR_API_KEY=lin_api_q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0"},
		FP:       []string{"lin_api_ keys are personal"}},

	{ID: "notion-token", Description: "Notion integration token",
		Keywords: []string{"ntn_"},
		Regex:    `(ntn_[A-Za-z0-9]{40,})` + endToken, Groups: []int{1}, Prefixes: []string{"ntn_"},
		Examples: &placeholders,
		TP:       []string{"NOTION_TOKEN=ntn_q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2"},
		FP:       []string{"ntn_ is Notion's prefix"}},

	{ID: "supabase-token", Description: "Supabase access token",
		Keywords: []string{"sbp_"},
		Regex:    `(sbp_[a-f0-9]{40})` + endToken, Groups: []int{1}, Prefixes: []string{"sbp_"},
		Examples: &placeholders,
		TP:       []string{"SUPABASE_ACCESS_TOKEN=sbp_0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d"},
		FP:       []string{"sbp_ is Supabase's prefix"}},

	{ID: "doppler-token", Description: "Doppler personal token",
		Keywords: []string{"dp.pt."},
		Regex:    `(dp\.pt\.[A-Za-z0-9]{40,})` + endToken, Groups: []int{1}, Prefixes: []string{"dp.pt."},
		Examples: &placeholders,
		TP:       []string{"DOPPLER_TOKEN=dp.pt.q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2"},
		FP:       []string{"dp.pt. is Doppler's prefix"}},

	{ID: "pulumi-token", Description: "Pulumi access token",
		Keywords: []string{"pul-"},
		Regex:    `(pul-[a-f0-9]{40})` + endToken, Groups: []int{1}, Prefixes: []string{"pul-"},
		Examples: &placeholders,
		TP:       []string{"PULUMI_ACCESS_TOKEN=pul-0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d"},
		FP:       []string{"pul-request is not a word"}},

	{ID: "postman-key", Description: "Postman API key",
		Keywords: []string{"pmak-"},
		Regex:    `(PMAK-[a-f0-9]{24}-[a-f0-9]{34})` + endToken, Groups: []int{1}, Prefixes: []string{"PMAK-"},
		Examples: &placeholders,
		TP:       []string{"POSTMAN_API_KEY=PMAK-0a1b2c3d4e5f60718293a4b5-0a1b2c3d4e5f60718293a4b5c6d7e8f90a"},
		FP:       []string{"PMAK- keys belong to Postman"}},

	{ID: "atlassian-token", Description: "Atlassian API token",
		Keywords: []string{"atatt3"},
		Regex:    `(ATATT3[A-Za-z0-9_=-]{100,})` + endToken, Groups: []int{1}, Prefixes: []string{"ATATT3"},
		Examples: &placeholders,
		TP:       []string{"JIRA_TOKEN=ATATT3q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6=0A1B2C3D"},
		FP:       []string{"ATATT3 tokens"}},

	{ID: "sentry-token", Description: "Sentry auth token",
		Keywords: []string{"sntrys_"},
		Regex:    `(sntrys_[A-Za-z0-9+/=_-]{60,})` + endToken, Groups: []int{1}, Prefixes: []string{"sntrys_"},
		Examples: &placeholders,
		TP:       []string{"SENTRY_AUTH_TOKEN=sntrys_q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6q1W2e3R4t5Y6"},
		FP:       []string{"sntrys_ is Sentry's prefix"}},

	{ID: "age-secret-key", Description: "age encryption secret key",
		Keywords: []string{"age-secret-key-1"},
		Regex:    `(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})` + endToken, Groups: []int{1},
		Prefixes: []string{"AGE-SECRET-KEY-1"},
		Examples: &placeholders,
		TP:       []string{"# public key: age1x\nAGE-SECRET-KEY-1QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LQPZRY9X8GF2TVDW0S3JN54KHCE"},
		FP:       []string{"AGE-SECRET-KEY-1 starts an age identity"}},

	{ID: "terraform-token", Description: "Terraform Cloud / HCP API token",
		Keywords: []string{".atlasv1."}, Back: 14,
		Regex: `([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_-]{60,})` + endToken, Groups: []int{1},
		Examples: &placeholders,
		TP:       []string{`token = "q1W2e3R4t5Y6u7.atlasv1.q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6q1W2e3R4t5Y6u7I8"`},
		FP:       []string{"tokens contain .atlasv1."}},

	{ID: "discord-webhook", Description: "Discord webhook URL",
		Keywords: []string{"discord.com/api/webhooks/", "discordapp.com/api/webhooks/"},
		Regex:    `(discord(?:app)?\.com/api/webhooks/[0-9]{15,}/[A-Za-z0-9_-]{60,})` + endToken, Groups: []int{1},
		Prefixes: []string{"discord.com/api/webhooks/", "discordapp.com/api/webhooks/"},
		Examples: &placeholders,
		TP:       []string{"https://discord.com/api/webhooks/123456789012345678/q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6q1W2e3R4t5Y6u7I8"},
		FP:       []string{"https://discord.com/api/webhooks/{id}/{token}"}},

	{ID: "databricks-token", Description: "Databricks personal access token",
		Keywords: []string{"dapi"},
		Regex:    `(dapi[a-f0-9]{32})(?:[^A-Za-z0-9_-]|$)`, Groups: []int{1}, Prefixes: []string{"dapi"},
		Examples: &placeholders,
		TP:       []string{"DATABRICKS_TOKEN=dapi0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
		FP:       []string{"the rapid dapi0a1b tool"}},

	{ID: "sendgrid-key", Description: "SendGrid API key",
		Keywords: []string{"sg."},
		Regex:    `(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})` + endToken, Groups: []int{1}, Prefixes: []string{"SG."},
		Examples: &placeholders,
		TP:       []string{"SENDGRID_API_KEY=SG.q1W2e3R4t5Y6u7I8o9P0a1.q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C"},
		FP:       []string{"SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "msg.payload = data"}},

	{ID: "azure-storage-key", Description: "Azure storage account key in a connection string",
		Keywords: []string{"accountkey="},
		Regex:    `AccountKey=[A-Za-z0-9+/]{86}==`, Prefixes: []string{"AccountKey="},
		Examples: &placeholders,
		TP:       []string{"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8q1W2e3R4t5Y6u7==;EndpointSuffix=core.windows.net"},
		FP:       []string{"AccountKey=<key>"}},

	{ID: "azure-client-secret", Description: "Azure AD (Entra) client secret",
		Keywords: []string{"q~"}, Back: 5,
		Regex: `(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)`, Groups: []int{1},
		Examples: &placeholders,
		TP:       []string{"AZURE_CLIENT_SECRET=abc8Q~q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j"},
		FP:       []string{"press Q~ to quit"}},

	{ID: "telegram-bot-token", Description: "Telegram bot token",
		Keywords: []string{":aa"}, Back: 11,
		Regex: `(?:^|[^0-9])([0-9]{8,10}:AA[0-9A-Za-z_-]{33})(?:[^0-9A-Za-z_-]|$)`, Groups: []int{1},
		Examples: &placeholders,
		TP:       []string{"TELEGRAM_BOT_TOKEN=123456789:AAq1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j"},
		FP:       []string{"12:34:56 AAPL 189.2", "mac 00:1b:aa:3c:44:55"}},

	{ID: "jwt", Description: "JSON Web Token (signed)",
		Keywords: []string{"eyj"}, WordStart: true,
		Regex: `eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`, Prefixes: []string{"eyJ"},
		Live: []string{`^eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}`},
		// Well-known documentation tokens (jwt.io, PyJWT and other
		// {"sub":"1234567890"} or {"foo":"bar"} examples).
		Examples: &Allowlist{Regexes: []string{`\.eyJ(?:zdWIiOiIxMjM0NTY3ODkwIi|zb21lIjoicGF5bG9hZCJ9|mb28iOiJiYXIi|1c2VyX2lkIjoxMjN9|uYW1lIjoiSm9obiBEb2Ui|zdWIiOiJ0ZXN0|0ZXN0Ijoi)|SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`}},
		TP:       []string{"Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxOTAwMDAwMDAwfQ.q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8"},
		FP:       []string{"token = eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "JWTs start with eyJ"}},

	{ID: "connection-string-password", Description: "Database or broker URL with a password, for a non-local server",
		Keywords: []string{"postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver"}, Generic: true,
		Regex:  `(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)://[^:/\s@]+:([^@\s/]{10,})@[^\s/?#"'<>]*`,
		Groups: []int{1},
		Allow:  &references,
		Examples: &Allowlist{
			// Default and placeholder passwords, values with no digit or no
			// letter, and servers on this machine or in a compose network.
			Regexes:      []string{`^(?i:password|passwd|pass|pwd|secret|changeme|postgres|root|admin|example|test|dev|guest|\$\{|\$\(|<|\{\{|\*|x+$)`, `^[^0-9]*$`, `^[^A-Za-z]*$`},
			MatchRegexes: []string{`@(?:localhost\b|127\.0\.0\.1\b|0\.0\.0\.0\b|host\.docker\.internal\b|(?:db|postgres|mysql|redis|mongo|rabbitmq|database)(?::|$)|\[::1\])`}},
		TP: []string{"DATABASE_URL=postgres://app:Xk29fLq8ZpR4vM@prod-db.acme.internal:5432/app", "mongodb+srv://svc:9hQ2wErT5yUi8oP@cluster0.abcde.mongodb.net/db"},
		FP: []string{"DATABASE_URL=postgres://postgres:postgres@localhost:5432/app", "postgres://user:password@host:5432/db", "mysql://root:s3cretPass123@127.0.0.1:3306/test"}},

	{ID: "password-assignment", Description: "High-entropy password or secret assigned to a credential name",
		Keywords: []string{"password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key", "login", "db_pass"}, Generic: true, Back: 8,
		Regex:  `(?:(?i:\b(?:password|passwd|pwd|db_pass(?:word)?|secret|client_secret|secret_key|api[_-]?key|apikey|access_token|auth_token|refresh_token|private_token)\b)["']?\s*(?:=|:|=>)\s*["']?|(?i:\blogin\s+\S+\s+password|--password|--passwd)(?:\s+|=)["']?)([^\s"'<>,;\[\]{}]{16,})`,
		Groups: []int{1},
		// A heuristic: only long values that mix digits, lower and upper
		// case, and are not a placeholder or code.
		Allow: &Allowlist{
			Regexes: []string{`^[^0-9]*$`, `^[^a-z]*$`, `^[^A-Z]*$`,
				`^(?i:changeme|change_me|change-me|password|passw0rd|example|sample|placeholder|dummy|fake|test|secret|your|my_|xxx|\*\*\*|\$\{|\$\(|\{\{|%\(|process\.env|os\.environ|env\(|getenv|none|null|undefined|true|false|redacted|\[redacted|\[filtered|<redacted|AIza)`},
			MatchRegexes: []string{`[()]`}},
		TP: []string{"DB_PASSWORD=Q7v9Lm2Xp4Rt8Wz1Kd", "machine api.example.com login bot password Q7v9Lm2Xp4Rt8Wz1Kd", `  password: "n8Fq2LzR7vX4pW9sKt3M"`, "client_secret = 'Zx9Qw8Er7Ty6Ui5Op4As3Df'"},
		FP: []string{"DB_PASSWORD=changeme", "password: password123", "password: ${DB_PASSWORD}", "PASSWORD=xxxxxxxxxxxxxxxxxx", "api_key: your-api-key-here", "token = getAccessToken2024()", "reset password ForUserAccount2024 flow"}},

	{ID: "url-credentials", Description: "Password in a URL's user information",
		Keywords: []string{"://"}, Generic: true,
		Regex:  `://[^\s:/@"'<>]+:([^\s@/"'<>]+)@`,
		Groups: []int{1}, Allow: &references,
		TP: []string{"git remote add o https://bob:s3cr3tQ7v9@example.com/r.git"},
		FP: []string{"https://user@example.com/repo.git", `curl -u "$USER:$TOKEN" https://$HOST/api`}},

	{ID: "authorization", Description: "Credential in an Authorization header",
		Keywords: []string{"authorization"}, Generic: true, Back: 6,
		Regex:  `(?i)\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|bot|digest)\s+)?([A-Za-z0-9._~+/=*-]+)`,
		Groups: []int{1}, Allow: &references,
		// Live: a bearer, token or basic credential of some length that is
		// not a placeholder.
		Live: []string{`^[A-Za-z0-9._~+/-]{24,}`},
		Examples: &Allowlist{
			Regexes:      []string{`^(?i:x{8}|redacted|your|my_|example|placeholder|token\b)`},
			MatchRegexes: []string{`(?i)^(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bot|digest)\s+)?\S*$`}},
		TP: []string{"> Authorization: Bearer q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6", `headers: {"Authorization": "token 9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6"}`},
		FP: []string{"Authorization: Bearer $API_TOKEN", "-H 'Authorization: Bearer <token>'", "Authorization: Basic [REDACTED]", "the Authorization header carries a Bearer token"}},

	{ID: "bearer", Description: "Bearer token outside an Authorization header",
		Keywords: []string{"bearer"}, Generic: true,
		Regex:  `(?i)\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)`,
		Groups: []int{1},
		Allow:  &Allowlist{Regexes: []string{`^[^0-9]*$`}},
		// Masked only: no guard flags a bearer token without its header.
		MaskOnly: true,
		TP:       []string{"bearer FAKEtoken1234567890abc"},
		FP:       []string{"bearer tokens expire after an hour"}},

	{ID: "password", Description: "Value assigned to a password, secret, token or key name",
		Keywords: []string{"pass", "secret", "token", "key"}, Assign: true, Generic: true, NoCall: true, Back: 8,
		// key=value, key: value, "key": "value", export KEY=value, key := "v".
		// Also inside a JSON string: {"command": "export TOKEN=\"v\""}.
		Regex: `(?i)` + genericKeys + `(?:\\?["'])?[ \t]*(?::=|[:=])[ \t]*(?:` +
			`"((?:[^"\\\n]|\\.)*)"` + // "v", with \" inside
			`|'([^'\n]*)'` + // 'v'
			`|\\"((?:[^\\\n]|\\[^"])*)\\"` + // \"v\" (in a JSON string)
			`|((?:[^\s"'` + "`" + `,;&|(){}<>\[\]\\]|\\[^"nrt])+))`, // v; stops at a JSON \" or \n
		Groups: []int{1, 2, 3, 4}, Allow: &references,
		// Masked only: the password-assignment rule decides what is live.
		MaskOnly: true,
		TP:       []string{"mysql --password=hunter2", "passwd: fakepass", `{"client_secret": "FAKE-secret-value"}`},
		FP:       []string{"export PASSWORD=$DB_PASSWORD", "password := getPassword()", "token: ${{ secrets.GITHUB_TOKEN }}"}},

	{ID: "password-flag", Description: "Password or token given as a command-line flag's value",
		Keywords: []string{"-pass", "-token", "-api"}, Generic: true, Back: BackWord,
		Regex:  `(?i)(?:^|\s)--?[a-z0-9-]*(?:password|passwd|token|api-?key|apikey)[ \t]+(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"'<>|&;-][^\s"'<>|&;]*))`,
		Groups: []int{1, 2, 3}, Allow: &references,
		// Masked only.
		MaskOnly: true,
		TP:       []string{"docker login --password hunter2FAKE -u bob"},
		FP:       []string{"--password-stdin < pw.txt", "echo $PASSWORD | docker login --password-stdin"}},
}
