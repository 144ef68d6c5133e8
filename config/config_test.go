package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// genPack writes a user pack of n guards.
func genPack(family string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "family = %q\ntitle = \"Generated\"\n", family)
	for i := range n {
		fmt.Fprintf(&b, `
[[guards]]
id = "%[1]s.deploy-%[2]d"
title = "Deploy %[2]d to production"
severity = "high"
on = "command"
commands = ["deploy%[2]d"]
args = '\bprod\b'
reason = "Deploys to production."
instead = "Deploy to staging first."
match = ["deploy%[2]d --env prod"]
not_match = ["deploy%[2]d --env staging"]
`, family, i)
	}
	return b.String()
}

type env struct {
	t              *testing.T
	dir, state, hm string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{t: t, dir: filepath.Join(root, "cfg"), state: filepath.Join(root, "state"), hm: filepath.Join(root, "home")}
	for _, d := range []string{e.dir, e.state, e.hm} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("BULWARK_HOME", e.dir)
	t.Setenv("HOME", e.hm)
	return e
}

func (e *env) opts() Options {
	return Options{Dir: e.dir, StateDir: e.state, Home: e.hm, Version: "test"}
}

func (e *env) write(rel, text string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, rel)
	if filepath.IsAbs(rel) {
		p = rel
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func problemText(ps []Problem) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Level.String()+": "+p.String())
	}
	return strings.Join(s, "\n")
}

func TestLoadNothingConfigured(t *testing.T) {
	e := newEnv(t)
	l := Load(e.opts())
	if l.File != "" || len(l.Packs) != 0 || len(l.Problems) != 0 || l.Broken {
		t.Fatalf("got %+v", l)
	}
	if _, err := os.Stat(filepath.Join(e.state, "cache")); err == nil {
		t.Error("no configuration must not write a cache")
	}
}

const fullConfig = `# my settings
profile = "strict"
pack_dirs = ["~/packs"]

[overrides]
"git.force-push" = "deny"

[log]
only_non_allow = true
max_bytes = 1048576
keep = 3

[[allow]]
guard = "exfil.pipe-to-shell"
pattern = '^curl -fsSL https://sh\.rustup\.rs'
cwd = "~/scratch"
reason = "rustup"
expires = 2030-01-01T00:00:00Z

[[allow]]
guard = "filesystem.recursive-delete-root"
command = "rm -rf /tmp/build"
reason = "build dir"
`

func TestParseConfigFull(t *testing.T) {
	c, probs, err := ParseConfig("config.toml", []byte(fullConfig), "/home/u")
	if err != nil || len(probs) != 0 {
		t.Fatalf("err %v, problems %v", err, probs)
	}
	if c.Profile != "strict" || c.PackDirs[0] != "/home/u/packs" || c.Overrides["git.force-push"] != "deny" {
		t.Errorf("got %+v", c)
	}
	if !c.Log.OnlyNonAllow || c.Log.MaxBytes != 1<<20 || c.Log.Keep != 3 {
		t.Errorf("log = %+v", c.Log)
	}
	if len(c.Allow) != 2 || c.Allow[0].Cwd != "/home/u/scratch" || c.Allow[0].Expires.Year() != 2030 || c.Allow[1].Index != 2 {
		t.Errorf("allow = %+v", c.Allow)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, text string
		broken     bool
		want       string // in the problems
		allow      int
	}{
		{"syntax", "profile = \n", true, "", 0},
		{"unknown top key", "profil = \"strict\"\n", true, "profil", 0},
		{"unknown allow key", "[[allow]]\nguard = \"a.b\"\ncwdd = \"/x\"\nreason = \"r\"\n", true, "cwdd", 0},
		{"bad profile", "profile = \"paranoid\"\n", false, "paranoid", 0},
		{"bad override", "[overrides]\n\"a.b\" = \"block\"\n", false, "block", 0},
		{"no reason", "[[allow]]\nguard = \"a.b\"\n", false, "reason is empty", 0},
		{"no guard", "[[allow]]\nreason = \"r\"\n", false, "guard is empty", 0},
		{"both", "[[allow]]\nguard = \"a.b\"\ncommand = \"x\"\npattern = \"x\"\nreason = \"r\"\n", false, "not both", 0},
		{"bad pattern", "[[allow]]\nguard = \"a.b\"\npattern = \"(\"\nreason = \"r\"\n", false, "pattern", 0},
		{"relative cwd", "[[allow]]\nguard = \"a.b\"\ncwd = \"src\"\nreason = \"r\"\n", false, "absolute", 0},
		{"string expiry", "[[allow]]\nguard = \"a.b\"\nreason = \"r\"\nexpires = \"2030-01-01T00:00:00Z\"\n", false, "", 1},
		{"bad expiry", "[[allow]]\nguard = \"a.b\"\nreason = \"r\"\nexpires = \"next week\"\n", true, "", 0},
		{"negative log", "[log]\nkeep = -1\n", false, "keep", 0},
		{"negative backup size", "[backup]\nmax_total_mb = -1\n", false, "backup.max_total_mb", 0},
		{"negative backup time", "[backup]\nmax_call_ms = -5\n", false, "backup.max_call_ms", 0},
		{"backup skip with a slash", "[backup]\nskip = [\"a/b\", \"node_modules\"]\n", false, `skip entry "a/b"`, 0},
		{"unknown backup key", "[backup]\nmax_size = 1\n", true, "max_size", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, probs, err := ParseConfig("config.toml", []byte(tt.text), "/home/u")
			if (err != nil) != tt.broken {
				t.Fatalf("err = %v, want broken %v", err, tt.broken)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "config.toml") || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q should name the file and %q", err, tt.want)
				}
				return
			}
			if tt.want != "" && !strings.Contains(problemText(probs), tt.want) {
				t.Errorf("problems %q do not mention %q", problemText(probs), tt.want)
			}
			if len(c.Allow) != tt.allow {
				t.Errorf("allow rules = %d, want %d", len(c.Allow), tt.allow)
			}
		})
	}
}

func TestParseBackupConfig(t *testing.T) {
	c, probs, err := ParseConfig("config.toml", []byte("[backup]\nenabled = false\nmax_call_ms = 300\nskip = []\nskip_if_ignored = [\"dist\", \"a/b\"]\n"), "/home/u")
	if err != nil {
		t.Fatal(err)
	}
	b := c.Backup
	if b.Enabled == nil || *b.Enabled || b.MaxCallMS != 300 || b.Skip == nil || len(b.Skip) != 0 || len(b.SkipIfIgnored) != 1 || len(probs) != 1 {
		t.Errorf("backup = %+v, problems %v", b, probs)
	}
	// No [backup]: the defaults (nil lists, enabled unset).
	c, _, _ = ParseConfig("config.toml", []byte("profile = \"strict\"\n"), "/home/u")
	if c.Backup.Enabled != nil || c.Backup.Skip != nil {
		t.Errorf("unset backup = %+v", c.Backup)
	}
}

func TestBrokenConfigFallsBackToDefaults(t *testing.T) {
	e := newEnv(t)
	e.write("config.toml", "profile = \"minimal\"\n[[allow]]\nguard = \"git.force-push\"\nreasn = \"typo\"\n")
	l := Load(e.opts())
	if !l.Broken || l.Config.Profile != "" || len(l.Config.Allow) != 0 {
		t.Fatalf("broken config must give the defaults: %+v", l)
	}
	if txt := problemText(l.Problems); !strings.Contains(txt, filepath.Join(e.dir, "config.toml")) || !strings.Contains(txt, "reasn") {
		t.Errorf("problem should name the file and the key: %s", txt)
	}
	// Also from the cache.
	l2 := Load(e.opts())
	if !l2.Cached || !l2.Broken || problemText(l2.Problems) != problemText(l.Problems) {
		t.Errorf("cached load differs: %+v", l2)
	}
}

func TestUserPacks(t *testing.T) {
	e := newEnv(t)
	good := e.write("packs.d/acme.toml", genPack("acme", 3))
	noReason := e.write("packs.d/broken.toml", strings.Replace(genPack("broken", 2), `reason = "Deploys to production."`, `reason = ""`, 1))
	badExample := e.write("packs.d/examples.toml", strings.Replace(genPack("ex", 1), `not_match = ["deploy0 --env staging"]`, `not_match = ["deploy0 --env prod"]`, 1))
	d := genPack("dup", 1)
	dup := e.write("packs.d/dup.toml", d+d[strings.Index(d, "[[guards]]"):])
	builtinFam := e.write("packs.d/git.toml", genPack("git", 1))
	clash := e.write("packs.d/zz-clash.toml", genPack("acme", 1))
	e.write("packs.d/.hidden.toml", "not toml")
	e.write("packs.d/README.md", "not a pack")

	l := Load(e.opts())
	if len(l.Packs) != 1 || l.Packs[0].Source != good || len(l.Packs[0].Guards) != 3 {
		t.Fatalf("packs = %+v\n%s", l.Packs, problemText(l.Problems))
	}
	txt := problemText(l.Problems)
	for _, want := range []string{
		noReason + ": guard broken.deploy-0: reason is empty",
		badExample + ": guard ex.deploy-0: not_match example matches",
		dup + ": guard dup.deploy-0: duplicate id",
		builtinFam + ": family \"git\" is taken",
		clash + ": guard acme.deploy-0: id already defined in " + good,
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("problems lack %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "hidden") || strings.Contains(txt, "README") {
		t.Errorf("hidden and non-TOML files must be skipped:\n%s", txt)
	}
}

func TestExtraPackDirs(t *testing.T) {
	e := newEnv(t)
	e.write(filepath.Join(e.hm, "packs", "team.toml"), genPack("team", 2))
	e.write("config.toml", "pack_dirs = [\"~/packs\", \"/nonexistent/bulwark-packs\"]\n")
	l := Load(e.opts())
	if len(l.Packs) != 1 || l.Packs[0].Family != "team" {
		t.Fatalf("packs = %+v\n%s", l.Packs, problemText(l.Problems))
	}
	if !strings.Contains(problemText(l.Problems), "/nonexistent/bulwark-packs") {
		t.Errorf("a missing pack dir should be reported:\n%s", problemText(l.Problems))
	}
}

func TestCacheRebuiltWhenPackChanges(t *testing.T) {
	e := newEnv(t)
	path := e.write("packs.d/acme.toml", genPack("acme", 2))
	l := Load(e.opts())
	if l.Cached || len(l.Packs) != 1 {
		t.Fatalf("first load: cached %v, packs %d", l.Cached, len(l.Packs))
	}
	if l = Load(e.opts()); !l.Cached || len(l.Packs[0].Guards) != 2 {
		t.Fatalf("second load should come from the cache: %+v", l)
	}
	// Same mtime, new size.
	fi, _ := os.Stat(path)
	e.write("packs.d/acme.toml", genPack("acme", 3))
	os.Chtimes(path, fi.ModTime(), fi.ModTime())
	if l = Load(e.opts()); l.Cached || len(l.Packs[0].Guards) != 3 {
		t.Fatalf("size change not seen: cached %v, guards %d", l.Cached, len(l.Packs[0].Guards))
	}
	// Same size, new mtime: now broken.
	e.write("packs.d/acme.toml", strings.Replace(genPack("acme", 3), `severity = "high"`, `severity = "huge"`, 1))
	os.Chtimes(path, fi.ModTime().Add(time.Second), fi.ModTime().Add(time.Second))
	if l = Load(e.opts()); l.Cached || len(l.Packs) != 0 || !strings.Contains(problemText(l.Problems), "guard acme.deploy-0") {
		t.Fatalf("mtime change not seen: cached %v, packs %d\n%s", l.Cached, len(l.Packs), problemText(l.Problems))
	}
	if l = Load(e.opts()); !l.Cached || !strings.Contains(problemText(l.Problems), "huge") {
		t.Fatalf("broken pack's problem must come back from the cache:\n%s", problemText(l.Problems))
	}
	// A new file.
	e.write("packs.d/more.toml", genPack("more", 1))
	if l = Load(e.opts()); l.Cached || len(l.Packs) != 1 || l.Packs[0].Family != "more" {
		t.Fatalf("new file not seen: %+v", l.Packs)
	}
	// Another version, another home.
	o := e.opts()
	o.Version = "other"
	if l = Load(o); l.Cached {
		t.Fatal("a different version must rebuild")
	}
	o.Home = "/elsewhere"
	if l = Load(o); l.Cached {
		t.Fatal("a different home must rebuild (~ in config.toml)")
	}
}

func TestCacheCorruptIsRebuilt(t *testing.T) {
	e := newEnv(t)
	e.write("packs.d/acme.toml", genPack("acme", 2))
	Load(e.opts())
	cache := filepath.Join(e.state, "cache", "user.bin")
	data, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{data[:len(data)/2], append(append([]byte{}, data...), 'x'), []byte("garbage")} {
		os.WriteFile(cache, bad, 0o600)
		l := Load(e.opts())
		if l.Cached || len(l.Packs) != 1 || len(l.Packs[0].Guards) != 2 {
			t.Fatalf("corrupt cache: cached %v, packs %+v", l.Cached, l.Packs)
		}
	}
}

func TestNoCacheOption(t *testing.T) {
	e := newEnv(t)
	e.write("packs.d/acme.toml", genPack("acme", 1))
	o := e.opts()
	o.NoCache = true
	Load(o)
	if _, err := os.Stat(filepath.Join(e.state, "cache")); err == nil {
		t.Fatal("NoCache wrote a cache")
	}
}

func TestUnwritableStateDir(t *testing.T) {
	e := newEnv(t)
	e.write("packs.d/acme.toml", genPack("acme", 1))
	o := e.opts()
	o.StateDir = filepath.Join(e.write("state-is-a-file", ""), "sub")
	if l := Load(o); len(l.Packs) != 1 {
		t.Fatalf("packs = %d", len(l.Packs))
	}
}

// TestCodecCoversEveryField fills every field of a PackSpec and its guards
// by reflection and checks the cache encoding round-trips it: a new
// GuardSpec field that the codec forgets fails here.
func TestCodecCoversEveryField(t *testing.T) {
	var p guards.PackSpec
	fill(reflect.ValueOf(&p).Elem(), "x")
	e := &encoder{examples: true}
	e.pack(&p)
	d := &decoder{s: string(e.b)}
	got := d.pack()
	if d.err || d.off != len(d.s) {
		t.Fatal("decode failed")
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, p)
	}
	// Without examples (the cache): everything else survives.
	e = &encoder{}
	e.pack(&p)
	d = &decoder{s: string(e.b)}
	got = d.pack()
	for i := range p.Guards {
		p.Guards[i].Match, p.Guards[i].NotMatch = nil, nil
	}
	if d.err || d.off != len(d.s) || !reflect.DeepEqual(got, p) {
		t.Fatalf("round trip without examples differs:\n got %+v\nwant %+v", got, p)
	}

	c := Config{Profile: "strict", PackDirs: []string{"/a"}, Overrides: map[string]string{"a.b": "deny", "c.d": "warn"},
		Allow: []AllowSpec{{Guard: "a.b", Command: "c", Pattern: "p", Cwd: "/d", Reason: "r", Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Index: 3}, {Guard: "e.f", Reason: "r", Index: 4}},
		Log:   LogConfig{OnlyNonAllow: true, MaxBytes: 5, Keep: 2}}
	fill(reflect.ValueOf(&c.Log).Elem(), "y")
	off := false
	c.Backup = BackupConfig{Enabled: &off, MaxCallMS: 100, MaxCopyMB: 3, MaxTotalMB: 9, MaxAgeDays: 2, Skip: []string{}, SkipIfIgnored: []string{"dist"}}
	e = &encoder{}
	e.config(&c)
	d = &decoder{s: string(e.b)}
	gotc := d.config()
	if d.err || !reflect.DeepEqual(gotc.Allow[1], c.Allow[1]) || !gotc.Allow[0].Expires.Equal(c.Allow[0].Expires) {
		t.Fatalf("config round trip: %+v", gotc)
	}
	gotc.Allow[0].Expires, c.Allow[0].Expires = time.Time{}, time.Time{}
	if !reflect.DeepEqual(gotc, c) {
		t.Fatalf("config round trip differs:\n got %+v\nwant %+v", gotc, c)
	}
	// Every Config field is encoded: a field count check.
	for _, enabled := range []*bool{nil, new(bool)} {
		// Unset and empty lists stay apart; so do unset and false.
		b := Config{Backup: BackupConfig{Enabled: enabled}}
		e = &encoder{}
		e.config(&b)
		d = &decoder{s: string(e.b)}
		if got := d.config(); d.err || !reflect.DeepEqual(got.Backup, b.Backup) {
			t.Errorf("backup round trip: %+v, want %+v", got.Backup, b.Backup)
		}
	}
	if n := reflect.TypeOf(Config{}).NumField(); n != 7 {
		t.Errorf("Config has %d fields: update the codec (and this count)", n)
	}
	if n := reflect.TypeOf(AllowSpec{}).NumField(); n != 7 {
		t.Errorf("AllowSpec has %d fields: update the codec (and this count)", n)
	}
	if n := reflect.TypeOf(LogConfig{}).NumField(); n != 3 {
		t.Errorf("LogConfig has %d fields: update the codec (and this count)", n)
	}
	if n := reflect.TypeOf(ApprovalConfig{}).NumField(); n != 1 {
		t.Errorf("ApprovalConfig has %d fields: update the codec (and this count)", n)
	}
	if n := reflect.TypeOf(BackupConfig{}).NumField(); n != 7 {
		t.Errorf("BackupConfig has %d fields: update the codec (and this count)", n)
	}
}

func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s + v.Type().Name())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue // not part of any encoding (PackSpec's link to its compiled set)
			}
			fill(v.Field(i), s+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		sl := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(sl.Index(i), fmt.Sprint(s, i))
		}
		v.Set(sl)
	}
}

func TestFindProject(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	repo := filepath.Join(home, "src", "repo")
	deep := filepath.Join(repo, "a", "b")
	os.MkdirAll(deep, 0o755)
	os.MkdirAll(filepath.Join(repo, ".git"), 0o755)
	if got := FindProject(deep, home); got != "" {
		t.Errorf("no project file: got %q", got)
	}
	// Above the git root: not used.
	os.WriteFile(filepath.Join(home, "src", ProjectFileName), []byte(""), 0o644)
	if got := FindProject(deep, home); got != "" {
		t.Errorf("a file above the git root must not count: %q", got)
	}
	os.WriteFile(filepath.Join(repo, ProjectFileName), []byte(""), 0o644)
	if got := FindProject(deep, home); got != filepath.Join(repo, ProjectFileName) {
		t.Errorf("got %q", got)
	}
	os.WriteFile(filepath.Join(repo, "a", ProjectFileName), []byte(""), 0o644)
	if got := FindProject(deep, home); got != filepath.Join(repo, "a", ProjectFileName) {
		t.Errorf("nearest first: got %q", got)
	}
	// No git: stops at home.
	other := filepath.Join(home, "notes", "x")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(root, ProjectFileName), []byte(""), 0o644)
	if got := FindProject(other, home); got != "" {
		t.Errorf("must stop at home: %q", got)
	}
	os.WriteFile(filepath.Join(home, ProjectFileName), []byte(""), 0o644)
	if got := FindProject(other, home); got != filepath.Join(home, ProjectFileName) {
		t.Errorf("home itself counts: %q", got)
	}
	if FindProject("relative", home) != "" || FindProject("", home) != "" {
		t.Error("relative or empty cwd")
	}
}

const projectFile = `
[overrides]
"exfil.pipe-to-shell" = "deny"
"git.force-push" = "allow"
"filesystem.recursive-delete-root" = "warn"

[[allow]]
guard = "filesystem.recursive-delete-root"
command = "rm -rf ~"
reason = "the agent wrote this"

[[guards]]
id = "project.no-prod-db"
title = "Connecting to the production database"
severity = "high"
on = "command"
commands = ["psql"]
args = 'prod\.db'
reason = "Production data."
instead = "Use the staging database."
match = ["psql -h prod.db.example.com"]
not_match = ["psql -h localhost"]
`

func TestProjectOnlyTightens(t *testing.T) {
	p := ParseProject("/r/.bulwark.toml", []byte(projectFile))
	if p.Pack == nil || p.Pack.Family != ProjectFamily || len(p.Pack.Guards) != 1 {
		t.Fatalf("pack = %+v\n%s", p.Pack, problemText(p.Problems))
	}
	if _, ok := p.Raise["git.force-push"]; ok {
		t.Error("an allow override in a project must be ignored")
	}
	txt := problemText(p.Problems)
	if !strings.Contains(txt, "[[allow]] ignored") || !strings.Contains(txt, "guard git.force-push") {
		t.Errorf("problems:\n%s", txt)
	}
}

func TestProjectBrokenGuards(t *testing.T) {
	for name, text := range map[string]string{
		"wrong family": "family = \"acme\"\n" + projectFile,
		"unknown key":  strings.Replace(projectFile, "args =", "arg =", 1),
		"bad example":  strings.Replace(projectFile, `not_match = ["psql -h localhost"]`, `not_match = ["psql -h prod.db"]`, 1),
		"bad id":       strings.Replace(projectFile, "project.no-prod-db", "acme.no-prod-db", 1),
	} {
		p := ParseProject("/r/.bulwark.toml", []byte(text))
		if p.Pack != nil {
			t.Errorf("%s: pack accepted", name)
		}
		if p.Raise["exfil.pipe-to-shell"] != "deny" {
			t.Errorf("%s: raises must survive broken guards", name)
		}
		if !strings.Contains(problemText(p.Problems), "/r/.bulwark.toml") {
			t.Errorf("%s: %s", name, problemText(p.Problems))
		}
	}
	if p := ParseProject("/r/.bulwark.toml", []byte("[[guards]\n")); p.Pack != nil || len(p.Problems) != 1 {
		t.Errorf("syntax error: %+v", p)
	}
}

func TestLoadProjectCached(t *testing.T) {
	e := newEnv(t)
	repo := filepath.Join(e.hm, "repo")
	os.MkdirAll(filepath.Join(repo, ".git"), 0o755)
	path := e.write(filepath.Join(repo, ProjectFileName), projectFile)
	p1 := LoadProject(filepath.Join(repo), e.opts())
	if p1 == nil || p1.Pack == nil {
		t.Fatal("no project")
	}
	matches, _ := filepath.Glob(filepath.Join(e.state, "cache", "project-*.bin"))
	if len(matches) != 1 {
		t.Fatalf("cache files: %v", matches)
	}
	p2 := LoadProject(repo, e.opts())
	// The cache leaves out the examples (they ran when it was built).
	for i := range p1.Pack.Guards {
		p1.Pack.Guards[i].Match, p1.Pack.Guards[i].NotMatch = nil, nil
	}
	if !reflect.DeepEqual(p1, p2) {
		t.Errorf("cached project differs:\n%+v\n%+v", p1, p2)
	}
	e.write(path, strings.Replace(projectFile, `"exfil.pipe-to-shell" = "deny"`, `"exfil.pipe-to-shell" = "ask"`, 1))
	if p3 := LoadProject(repo, e.opts()); p3.Raise["exfil.pipe-to-shell"] != "ask" {
		t.Errorf("change not seen: %+v", p3.Raise)
	}
}

func BenchmarkLoadCachedPack100(b *testing.B) {
	root := b.TempDir()
	dir := filepath.Join(root, "cfg")
	os.MkdirAll(filepath.Join(dir, "packs.d"), 0o755)
	os.WriteFile(filepath.Join(dir, "packs.d", "acme.toml"), []byte(genPack("acme", 100)), 0o644)
	os.WriteFile(filepath.Join(dir, "config.toml"), []byte(fullConfig), 0o644)
	o := Options{Dir: dir, StateDir: filepath.Join(root, "state"), Home: root, Version: "bench"}
	if l := Load(o); len(l.Packs) != 1 {
		b.Fatal(problemText(l.Problems))
	}
	for b.Loop() {
		if l := Load(o); !l.Cached {
			b.Fatal("not cached")
		}
	}
}

func BenchmarkLoadNothing(b *testing.B) {
	root := b.TempDir()
	o := Options{Dir: filepath.Join(root, "cfg"), StateDir: filepath.Join(root, "state"), Home: root, Version: "bench"}
	for b.Loop() {
		Load(o)
	}
}

func TestGuardsTableIsOverrides(t *testing.T) {
	c, probs, err := ParseConfig("config.toml", []byte("[guards]\n\"a.b\" = \"deny\"\n\"c.d\" = \"warn\"\n[overrides]\n\"c.d\" = \"ask\"\n"), "")
	if err != nil || c.Overrides["a.b"] != "deny" || c.Overrides["c.d"] != "ask" || len(probs) != 1 {
		t.Errorf("%v %v %v", err, c.Overrides, probs)
	}
	p := ParseProject("/r/.bulwark.toml", []byte("[guards]\n\"a.b\" = \"deny\"\n\"c.d\" = \"warn\"\n[overrides]\n\"c.d\" = \"ask\"\n"))
	if p.Raise["a.b"] != "deny" || p.Raise["c.d"] != "ask" || len(p.Problems) != 0 || p.Pack != nil {
		t.Errorf("%+v", p)
	}
	p = ParseProject("/r/.bulwark.toml", []byte("guards = 3\n"))
	if len(p.Problems) != 1 || p.Problems[0].Level != Error {
		t.Errorf("%+v", p)
	}
}

// The annotated examples in testdata (pasted into the README) stay valid.
func TestExamplesInTestdata(t *testing.T) {
	data, err := os.ReadFile("testdata/config.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, probs, err := ParseConfig("config.toml", data, "/home/u")
	if err != nil || len(probs) != 0 {
		t.Fatalf("config.toml: %v %v", err, probs)
	}
	data, err = os.ReadFile("testdata/project.toml")
	if err != nil {
		t.Fatal(err)
	}
	p := ParseProject(".bulwark.toml", data)
	if p.Pack == nil || len(p.Problems) != 0 || p.Raise["git.force-push"] != "deny" {
		t.Fatalf("project: %+v %v", p, problemText(p.Problems))
	}
}

// FuzzCache: a corrupt cache file is rejected (and rebuilt), never a panic.
func FuzzCache(f *testing.F) {
	root := f.TempDir()
	dir := filepath.Join(root, "cfg")
	os.MkdirAll(filepath.Join(dir, "packs.d"), 0o755)
	os.WriteFile(filepath.Join(dir, "packs.d", "acme.toml"), []byte(genPack("acme", 2)), 0o644)
	os.WriteFile(filepath.Join(dir, "config.toml"), []byte(fullConfig), 0o644)
	o := Options{Dir: dir, StateDir: filepath.Join(root, "state"), Home: root, Version: "fuzz"}
	Load(o)
	good, err := os.ReadFile(filepath.Join(root, "state", "cache", "user.bin"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "user.bin")
		os.WriteFile(path, data, 0o600)
		readSnapshot(path, cacheKey("fuzz")+" "+root)
		readProject(path, cacheKey("fuzz"), stamp{})
	})
}

func TestApprovalWindow(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    time.Duration
		problem bool
	}{
		{"", 0, false}, {"5m", 5 * time.Minute, false}, {"90s", 90 * time.Second, false},
		{"0", -1, false}, {"2h", time.Hour, true}, {"soon", 0, true}, {"-5m", 0, true},
	} {
		c, probs, err := ParseConfig("config.toml", []byte("[approvals]\nwindow = \""+tt.in+"\"\n"), "/home/u")
		if err != nil || (len(probs) > 0) != tt.problem || c.Approvals.WindowDuration() != tt.want {
			t.Errorf("window %q: %v, problems %v, %v; want %v", tt.in, c.Approvals.WindowDuration(), probs, err, tt.want)
		}
	}
}
