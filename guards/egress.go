package guards

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/bulwark-guard/bulwark/shell"
)

// This file finds where a call sends data off the machine ("egress"), for
// the on=session guards: a session that read a credential and now sends data
// out, or sends the very file or value it read.

// send is one place a call sends data to another host.
type send struct {
	what  string   // evidence: the command or tool call
	host  string   // lower-case destination host; "" when unknown (dynamic)
	data  bool     // it carries data beyond a plain request (a body, a query, stdin, a file, dynamic parts)
	files []string // normalised paths of files whose content it sends
	texts []string // literal text it sends (arguments, stdin, URL, tool input)
}

// Commands that send data, by how they do it.
var (
	httpClients = set("curl", "wget", "http", "https", "xh", "httpie", "lwp-request", "aria2c")
	rawSockets  = set("nc", "ncat", "netcat", "socat", "telnet", "openssl")
	remoteCopy  = set("scp", "rsync", "rclone")
	fileUpload  = set("ftp", "lftp", "tftp", "smbclient", "ncftpput", "sftp")
	mailers     = set("mail", "mailx", "sendmail", "mutt", "msmtp", "s-nail")
	// Options of the HTTP clients whose value is data sent in the request.
	httpDataFlags = []string{"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii",
		"-F", "--form", "--form-string", "-T", "--upload-file", "--json", "--post-data", "--post-file",
		"--body-data", "--body-file"}
	// Options of curl/wget whose value is not the URL.
	httpValueFlags = set("-o", "-O", "--output", "-H", "--header", "-d", "--data", "--data-raw", "--data-binary",
		"--data-urlencode", "--data-ascii", "-F", "--form", "--form-string", "-T", "--upload-file", "--json",
		"-u", "--user", "-X", "--request", "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "-c",
		"--cookie-jar", "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "-x", "--proxy",
		"--resolve", "--cacert", "-E", "--cert", "--key", "--retry", "-r", "--range", "--post-data",
		"--post-file", "--body-data", "--body-file", "--method", "--header-file", "-P", "--directory-prefix",
		"--output-document", "-U", "-t", "--tries", "-T", "--timeout")
)

// sends lists where the call sends data to another host (loopback and
// private-network hosts are left out: a local dev server is not "out").
func (f *facts) sends() []send {
	var out []send
	add := func(s send) {
		if s.host == "" || !isLocalHost(s.host) {
			out = append(out, s)
		}
	}
	for i := range f.commands {
		cf := &f.commands[i]
		if cf.notRun {
			continue
		}
		if s, ok := f.commandSend(i); ok {
			add(s)
		}
	}
	act := f.act
	switch act.Kind {
	case KindFetch:
		for _, u := range act.URLs {
			pu, err := url.Parse(u)
			if err != nil {
				add(send{what: act.Tool + " " + u, data: true, texts: []string{u}})
				continue
			}
			add(send{what: act.Tool + " " + u, host: strings.ToLower(pu.Hostname()), data: pu.RawQuery != "", texts: []string{u}})
		}
	case KindMCP:
		if s, ok := mcpSend(act); ok {
			add(s)
		}
	}
	return out
}

// commandSend says whether command i sends data to a host, and what.
func (f *facts) commandSend(i int) (send, bool) {
	cf := &f.commands[i]
	c := cf.c
	s := send{what: renderCommand(cf), texts: []string{cf.joined}}
	if c.StdinKnown {
		s.texts = append(s.texts, c.Stdin)
	}
	fed := len(c.FedBy) > 0 || c.StdinKnown || readsRedirect(cf)
	name := cf.name
	switch {
	case httpClients.has(name):
		host, dyn, query := httpTarget(c.Args)
		if host == "" && !dyn {
			return send{}, false // no URL: a --help or a config-only call
		}
		s.host = host
		s.data = fed || query || dyn || hasAnyFlag(c.Args, httpDataFlags) || httpMethodSends(c.Args) ||
			dynamicHeader(c.Args) || name == "http" || name == "https" || name == "xh" || name == "httpie"
		if name == "http" || name == "https" || name == "xh" || name == "httpie" {
			s.data = fed || query || dyn || httpieItems(c.Args)
		}
		s.files = f.sentFiles(i, true)
	case rawSockets.has(name):
		if name == "openssl" && (len(cf.words) == 0 || cf.words[0] != "s_client") {
			return send{}, false
		}
		s.host = socketHost(name, c.Args)
		s.data = true
		s.files = f.sentFiles(i, false)
	case remoteCopy.has(name), name == "aws" && len(cf.words) >= 2 && cf.words[0] == "s3",
		name == "gsutil", name == "gcloud" && len(cf.words) >= 1 && cf.words[0] == "storage", name == "azcopy":
		dest, ok := remoteDest(cf)
		if !ok {
			return send{}, false // a download or a local copy
		}
		s.host, s.data = dest, true
		s.files = f.sentFiles(i, true)
	case fileUpload.has(name), mailers.has(name):
		s.host = firstOperandHost(c.Args)
		s.data = true
		s.files = f.sentFiles(i, true)
	case name == "gh" && len(cf.words) >= 2 && (cf.words[0] == "gist" && cf.words[1] == "create" || cf.words[0] == "release" && cf.words[1] == "upload"):
		s.host, s.data = "github.com", true
		s.files = f.sentFiles(i, true)
	case isSSHFamily(name) && name != "scp" && name != "sftp":
		s.host = firstOperandHost(c.Args)
		s.data = fed
		s.files = f.sentFiles(i, false)
	default:
		return send{}, false
	}
	return s, true
}

// readsRedirect reports an input redirection from a file (`nc h p < f`).
func readsRedirect(cf *cmdFact) bool {
	for _, r := range cf.c.Redirects {
		if !r.Write && (r.Op == "<" || strings.HasSuffix(r.Op, "<")) && r.Target.Value != "" {
			return true
		}
	}
	return false
}

// sentFiles are the files whose content command i sends: its own file
// operands (withOperands), its input redirections, and what the commands
// feeding it read (`cat f | nc h p`, `curl -d "$(cat f)"`), through at most
// a few hops.
func (f *facts) sentFiles(i int, withOperands bool) []string {
	var out []string
	seen := map[int]bool{}
	var walk func(j, hops int, operands bool)
	walk = func(j, hops int, operands bool) {
		if seen[j] || hops > 4 {
			return
		}
		seen[j] = true
		cf := &f.commands[j]
		if operands {
			for _, o := range cf.operands {
				out = append(out, o.norm)
			}
		}
		for _, r := range cf.c.Redirects {
			if !r.Write && r.Target.Value != "" && !isFDWord(r.Target.Value) {
				out = append(out, NormalizePath(r.Target.Value, f.cwdOf(cf), f.act.Home, r.Target.Dynamic))
			}
		}
		for _, name := range cf.c.FedBy {
			for k := range f.commands {
				if k != j && f.commands[k].c.Name == name && !f.commands[k].notRun {
					walk(k, hops+1, true)
				}
			}
		}
	}
	walk(i, 0, withOperands)
	return out
}

func (f *facts) cwdOf(cf *cmdFact) string {
	if cf.c.Cwd != "" {
		return cf.c.Cwd
	}
	return f.act.Cwd
}

// httpTarget finds the URL of an HTTP client's command line: its host,
// whether the URL is dynamic, and whether it carries a query string.
func httpTarget(args []shell.Word) (host string, dynamic, query bool) {
	for j, a := range args {
		v := a.Value
		if strings.HasPrefix(v, "-") {
			if k, val, ok := strings.Cut(v, "="); ok && (k == "--url") {
				v = val
			} else {
				continue
			}
		} else if j > 0 && httpValueFlags.has(args[j-1].Value) {
			continue
		} else if j > 0 && isShortCluster(args[j-1].Value, 'o', 'O', 'd', 'H', 'F', 'X', 'u', 'T') {
			continue
		}
		if a.Dynamic {
			if h := hostOf(v); h != "" && !strings.ContainsAny(h, "$`") {
				return h, true, true
			}
			return "", true, false
		}
		if h := hostOf(v); h != "" {
			return h, false, urlQuery(v)
		}
	}
	return "", false, false
}

// hostOf returns the host of a URL or a bare host[:port][/path] word.
func hostOf(v string) string {
	if i := strings.Index(v, "://"); i > 0 && isScheme(v[:i]) {
		rest := v[i+3:]
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			rest = rest[:j]
		}
		if j := strings.LastIndexByte(rest, '@'); j >= 0 {
			rest = rest[j+1:]
		}
		return strings.ToLower(stripPort(rest))
	}
	if v == "" || strings.ContainsAny(v[:1], "/.~@$") || !strings.ContainsAny(v, ".:") || strings.ContainsAny(v, " =") {
		return ""
	}
	h := v
	if j := strings.IndexAny(h, "/?#"); j >= 0 {
		h = h[:j]
	}
	h = stripPort(h)
	if h == "" || !strings.Contains(h, ".") && h != "localhost" {
		return ""
	}
	return strings.ToLower(h)
}

func stripPort(h string) string {
	if strings.HasPrefix(h, "[") {
		if j := strings.IndexByte(h, ']'); j > 0 {
			return h[1:j]
		}
	}
	if strings.Count(h, ":") == 1 {
		h, _, _ = strings.Cut(h, ":")
	}
	return h
}

func urlQuery(v string) bool {
	_, q, ok := strings.Cut(v, "?")
	q, _, _ = strings.Cut(q, "#")
	return ok && q != ""
}

// httpMethodSends reports -X/--request with a method that sends a body.
func httpMethodSends(args []shell.Word) bool {
	for j, a := range args {
		v := strings.ToUpper(a.Value)
		m := ""
		switch {
		case (a.Value == "-X" || a.Value == "--request" || a.Value == "--method") && j+1 < len(args):
			m = strings.ToUpper(args[j+1].Value)
		case strings.HasPrefix(v, "-X") && len(v) > 2:
			m = v[2:]
		case strings.HasPrefix(v, "--REQUEST=") || strings.HasPrefix(v, "--METHOD="):
			_, m, _ = strings.Cut(v, "=")
		}
		if m == "POST" || m == "PUT" || m == "PATCH" {
			return true
		}
	}
	return false
}

// dynamicHeader reports a header whose value is only known at run time
// (`-H "X-Token: $(cat f)"`).
func dynamicHeader(args []shell.Word) bool {
	for j, a := range args {
		if (a.Value == "-H" || a.Value == "--header") && j+1 < len(args) && args[j+1].Dynamic {
			return true
		}
	}
	return false
}

// httpieItems reports HTTPie request items that carry data (key=value,
// key:=json, key@file, key=@file).
func httpieItems(args []shell.Word) bool {
	for _, a := range args {
		v := a.Value
		if strings.HasPrefix(v, "-") || strings.Contains(v, "://") {
			continue
		}
		if strings.Contains(v, "=") || strings.Contains(v, "@") && !strings.HasPrefix(v, "@") {
			return true
		}
	}
	return false
}

// socketHost is the host a raw socket tool connects to.
func socketHost(name string, args []shell.Word) string {
	for j, a := range args {
		v := a.Value
		if name == "socat" {
			l := strings.ToLower(v)
			for _, p := range []string{"tcp:", "tcp4:", "tcp6:", "openssl:", "udp:", "udp4:", "udp6:", "ssl:"} {
				if strings.HasPrefix(l, p) {
					h, _, _ := strings.Cut(v[len(p):], ",")
					if k := strings.LastIndexByte(h, ':'); k > 0 {
						h = h[:k]
					}
					return strings.ToLower(strings.Trim(h, "[]"))
				}
			}
			continue
		}
		if name == "openssl" && (v == "-connect" || v == "--connect") && j+1 < len(args) {
			return strings.ToLower(stripPort(args[j+1].Value))
		}
		if strings.HasPrefix(v, "-") || v == "s_client" {
			continue
		}
		if j > 0 && len(args[j-1].Value) == 2 && strings.ContainsAny(args[j-1].Value[1:], "pswqiIOxXe") {
			continue // nc -p PORT, -s SRC, -w SECS, -e PROG ...
		}
		if a.Dynamic {
			return ""
		}
		return strings.ToLower(strings.Trim(v, "[]"))
	}
	return ""
}

// firstOperandHost is the host named by the first operand (ssh
// user@host, ftp host, sftp host:path).
func firstOperandHost(args []shell.Word) string {
	for j, a := range args {
		v := a.Value
		if strings.HasPrefix(v, "-") {
			continue
		}
		if j > 0 && len(args[j-1].Value) == 2 && strings.ContainsAny(args[j-1].Value[1:], "ipFoJlLbcDeEmOpQRSwWBa") {
			continue // an option's value (ssh -i KEY, -p PORT, -o OPT ...)
		}
		if a.Dynamic {
			return ""
		}
		if h := hostOf(v); h != "" {
			return h
		}
		if i := strings.LastIndexByte(v, '@'); i >= 0 {
			v = v[i+1:]
		}
		v, _, _ = strings.Cut(v, ":")
		return strings.ToLower(v)
	}
	return ""
}

// remoteDest reports the remote destination of a copy command (its last
// operand: host:path, rsync://, s3://, gs://, an https URL), or false when
// the copy goes to a local path.
func remoteDest(cf *cmdFact) (string, bool) {
	var last *shell.Word
	for j := len(cf.c.Args) - 1; j >= 0; j-- {
		if a := &cf.c.Args[j]; !strings.HasPrefix(a.Value, "-") {
			last = a
			break
		}
	}
	if last == nil || len(cf.operands) < 2 && cf.name != "rclone" {
		return "", false
	}
	v := last.Value
	if last.Dynamic && !strings.Contains(v, ":") {
		return "", false
	}
	for _, p := range []string{"s3://", "gs://", "az://", "r2://"} {
		if strings.HasPrefix(v, p) {
			b, _, _ := strings.Cut(v[len(p):], "/")
			return p + strings.ToLower(b), true
		}
	}
	if h := hostOf(v); strings.Contains(v, "://") && h != "" {
		return h, true
	}
	if strings.ContainsAny(v[:1], "/.~") {
		return "", false
	}
	host, _, ok := strings.Cut(v, ":")
	if !ok || strings.Contains(host, "/") || host == "" {
		return "", false
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if cf.name == "rclone" {
		return "rclone:" + strings.ToLower(host), true // a configured remote
	}
	return strings.ToLower(host), true
}

// mcpSend says whether an MCP tool call reaches the network: it names a URL
// of another host, or its server or tool name says it talks to the network.
func mcpSend(act *Action) (send, bool) {
	s := send{what: act.Tool, texts: []string{string(act.Input)}, data: len(act.Contents) > 0}
	for _, c := range act.Contents {
		s.texts = append(s.texts, c.Text)
	}
	s.texts = append(s.texts, act.URLs...)
	for _, p := range act.Paths {
		s.files = append(s.files, NormalizePath(p.Path, act.Cwd, act.Home, false))
	}
	for _, u := range act.URLs {
		if h := hostOf(u); h != "" {
			s.host = h
			s.data = s.data || urlQuery(u)
			s.what += " " + u
			return s, true
		}
	}
	name := strings.ToLower(act.Tool)
	for _, w := range []string{"fetch", "http", "request", "browser", "puppeteer", "playwright", "slack", "discord",
		"email", "mail", "gmail", "webhook", "post_message", "send_message", "upload", "gist", "notion", "linear", "jira"} {
		if strings.Contains(name, w) {
			s.data = true
			return s, true
		}
	}
	return send{}, false
}

// isLocalHost reports loopback, private-network and link-local hosts, and
// the names that stand for them: data sent there stays with the user.
func isLocalHost(h string) bool {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	switch {
	case h == "localhost", strings.HasSuffix(h, ".localhost"), h == "0.0.0.0", h == "::1", h == "::",
		h == "host.docker.internal", strings.HasSuffix(h, ".local"), strings.HasSuffix(h, ".internal"),
		strings.HasPrefix(h, "127."), strings.HasPrefix(h, "10."), strings.HasPrefix(h, "192.168."),
		strings.HasPrefix(h, "fe80:"), strings.HasPrefix(h, "fc"), strings.HasPrefix(h, "fd") && strings.Contains(h, ":"):
		return true
	case strings.HasPrefix(h, "172."):
		rest := strings.TrimPrefix(h, "172.")
		oct, _, _ := strings.Cut(rest, ".")
		return len(oct) == 2 && oct >= "16" && oct <= "31"
	}
	return false
}

// Bounds of the value search in sent text.
const (
	maxSentText   = 256 << 10
	maxCandidates = 4096
)

// seenValue looks for a secret value the session saw in text sent to host:
// every token of the text, also after URL-decoding and after decoding
// base64 or hex tokens. A value sent
// to the service it belongs to (a GitHub token to api.github.com) is use,
// not a leak.
func seenValue(m Memory, host string, texts []string) (string, bool) {
	n := 0
	var check func(t string, depth int) (string, bool)
	check = func(t string, depth int) (string, bool) {
		if len(t) > maxSentText {
			t = t[:maxSentText]
		}
		try := func(v string) (string, bool) {
			n++
			if k, ok := m.Seen(v); ok && !homeOf(k, host) {
				return k, true
			}
			return "", false
		}
		// The values a session remembers are single tokens (redact's
		// findings); three ways of cutting the text into tokens find them
		// wherever they sit (k=VALUE, VALUE/x, user:VALUE@host). No regular
		// expression runs here: a hook process would pay for compiling them.
		for _, split := range []func(rune) bool{broadDelim, midDelim, narrowDelim} {
			for _, tok := range strings.FieldsFunc(t, split) {
				if len(tok) < 6 || n > maxCandidates {
					continue
				}
				if k, ok := try(tok); ok {
					return k, true
				}
				if depth == 0 && len(tok) >= 12 {
					if d, ok := decodeToken(tok); ok {
						if k, ok := check(d, 1); ok {
							return k, true
						}
					}
				}
			}
		}
		if depth == 0 && strings.Contains(t, "%") {
			if u, err := url.QueryUnescape(t); err == nil && u != t {
				return check(u, 1)
			}
		}
		return "", false
	}
	for _, t := range texts {
		if k, ok := check(t, 0); ok {
			return k, true
		}
	}
	return "", false
}

func broadDelim(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-.+/=~", r))
}

func midDelim(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-.+/~", r))
}

func narrowDelim(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}

// decodeToken decodes a base64 (standard or URL alphabet) or hex token into
// printable text.
func decodeToken(tok string) (string, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(tok); err == nil && printable(b) {
			return string(b), true
		}
	}
	if len(tok)%2 == 0 {
		if b, err := hex.DecodeString(tok); err == nil && printable(b) {
			return string(b), true
		}
	}
	return "", false
}

func printable(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}
