package clients

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/installer"
	"time"
)

var testNow = time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC)

// testEnv is a fresh home and project directory; nothing outside t.TempDir
// is touched.
func testEnv(t *testing.T) Env {
	t.Helper()
	root := t.TempDir()
	// Root keeps managed/system paths in the temporary directory too.
	env := Env{Home: filepath.Join(root, "home"), Cwd: filepath.Join(root, "home", "proj"), Root: filepath.Join(root, "system")}
	if err := os.MkdirAll(env.Cwd, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", env.Home)
	t.Setenv("BULWARK_HOME", filepath.Join(root, "bulwark"))
	return env
}

func emptyManifest() *installer.Manifest {
	return &installer.Manifest{Version: 1, Files: map[string]*installer.Record{}}
}

func TestSettingsPaths(t *testing.T) {
	env := Env{Home: "/h", Cwd: "/nonexistent/p/sub"}
	for _, tc := range []struct {
		c    *Client
		s    installer.Scope
		want string
	}{
		{Claude, installer.ScopeUser, "/h/.claude/settings.json"},
		{Claude, installer.ScopeProject, "/nonexistent/p/sub/.claude/settings.json"},
		{Claude, installer.ScopeLocal, "/nonexistent/p/sub/.claude/settings.local.json"},
		{Codex, installer.ScopeUser, "/h/.codex/hooks.json"},
		{Codex, installer.ScopeProject, "/nonexistent/p/sub/.codex/hooks.json"},
		{Cursor, installer.ScopeUser, "/h/.cursor/hooks.json"},
		{Cursor, installer.ScopeProject, "/nonexistent/p/sub/.cursor/hooks.json"},
		{Gemini, installer.ScopeUser, "/h/.gemini/settings.json"},
		{Gemini, installer.ScopeProject, "/nonexistent/p/sub/.gemini/settings.json"},
	} {
		got, err := tc.c.SettingsPath(tc.s, env)
		if err != nil || got != tc.want {
			t.Errorf("SettingsPath(%s, %s) = %q, %v; want %q", tc.c.Name, tc.s, got, err, tc.want)
		}
	}
	if _, err := Cursor.SettingsPath(installer.ScopeLocal, env); err == nil {
		t.Error("local scope accepted for cursor")
	}
	env.Vars = map[string]string{"CLAUDE_CONFIG_DIR": "/cc", "CODEX_HOME": "/cx", "GEMINI_CLI_HOME": "/gh"}
	if got, _ := Claude.SettingsPath(installer.ScopeUser, env); got != "/cc/settings.json" {
		t.Errorf("CLAUDE_CONFIG_DIR ignored: %s", got)
	}
	if got, _ := Codex.SettingsPath(installer.ScopeUser, env); got != "/cx/hooks.json" {
		t.Errorf("CODEX_HOME ignored: %s", got)
	}
	if got, _ := Gemini.SettingsPath(installer.ScopeUser, env); got != "/gh/.gemini/settings.json" {
		t.Errorf("GEMINI_CLI_HOME ignored: %s", got)
	}
	// Local settings live at the git root.
	repo := t.TempDir()
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	sub := filepath.Join(repo, "a", "b")
	os.MkdirAll(sub, 0o755)
	if got, _ := Claude.SettingsPath(installer.ScopeLocal, Env{Cwd: sub}); got != filepath.Join(repo, ".claude", "settings.local.json") {
		t.Errorf("local scope in a repo: %s", got)
	}
}

// TestInstallFileEveryClientAndScope installs into a missing file for each
// client and scope, compares with the golden, and uninstalls again: the
// file is gone, the manifest empty.
func TestInstallFileEveryClientAndScope(t *testing.T) {
	for _, c := range All() {
		for _, s := range c.Scopes {
			t.Run(c.Name+"/"+string(s), func(t *testing.T) {
				env := testEnv(t)
				path, err := c.SettingsPath(s, env)
				if err != nil {
					t.Fatal(err)
				}
				m := emptyManifest()
				ch, err := installer.InstallFile(c.Spec, s, path, optsFor(c), m, false, testNow)
				if err != nil {
					t.Fatal(err)
				}
				if !ch.Changed || ch.Backup != "" || ch.Old != nil {
					t.Errorf("change = %+v", ch)
				}
				got, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := os.ReadFile(filepath.Join("testdata", c.Name, "new.installed.golden"))
				if !bytes.Equal(got, want) {
					t.Errorf("content differs from new.installed.golden:\n%s", installer.Diff("want", "got", want, got))
				}
				wantMode := os.FileMode(0o600)
				if s == installer.ScopeManaged {
					wantMode = 0o644 // read by every user's client
				}
				if fi, _ := os.Stat(path); fi.Mode().Perm() != wantMode {
					t.Errorf("new file mode %v, want %v", fi.Mode().Perm(), wantMode)
				}
				if !strings.HasPrefix(path, os.TempDir()) && !strings.HasPrefix(path, filepath.Dir(env.Home)) {
					t.Fatalf("test wrote outside its temporary directory: %s", path)
				}
				rec := m.Files[path]
				if rec == nil || !rec.CreatedFile || rec.Scope != s || rec.Client != c.Name || len(rec.Entries) != len(c.Spec.Events) {
					t.Fatalf("record = %+v", rec)
				}
				// Through the manifest on disk, as the commands do.
				mp := installer.ManifestPath(os.Getenv("BULWARK_HOME"))
				if err := m.Save(mp); err != nil {
					t.Fatal(err)
				}
				m2, err := installer.LoadManifest(mp)
				if err != nil {
					t.Fatal(err)
				}
				ch2, err := installer.InstallFile(c.Spec, s, path, optsFor(c), m2, false, testNow.Add(time.Hour))
				if err != nil || ch2.Changed {
					t.Errorf("second install: changed=%v err=%v", ch2 != nil && ch2.Changed, err)
				}
				ch3, err := installer.UninstallFile(c.Spec, s, path, m2, false, testNow)
				if err != nil {
					t.Fatal(err)
				}
				if !ch3.Removed {
					t.Errorf("uninstall did not remove the file install created")
				}
				if _, err := os.Stat(path); !os.IsNotExist(err) {
					t.Errorf("file still there: %v", err)
				}
				if len(m2.Files) != 0 {
					t.Errorf("manifest not emptied: %v", m2.Files)
				}
			})
		}
	}
}

// TestInstallFileRestoresOriginal: install then uninstall through the file
// layer gives back the exact bytes and mode, with a backup of each version.
func TestInstallFileRestoresOriginal(t *testing.T) {
	for _, c := range All() {
		t.Run(c.Name, func(t *testing.T) {
			env := testEnv(t)
			path, _ := c.SettingsPath(installer.ScopeUser, env)
			orig, err := os.ReadFile(filepath.Join("testdata", c.Name, "other-hooks.json"))
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, orig, 0o644); err != nil {
				t.Fatal(err)
			}
			m := emptyManifest()
			ch, err := installer.InstallFile(c.Spec, installer.ScopeUser, path, optsFor(c), m, false, testNow)
			if err != nil {
				t.Fatal(err)
			}
			wantBackup := path + ".bulwark-backup-20261122T010203Z"
			if ch.Backup != wantBackup {
				t.Errorf("backup %q, want %q", ch.Backup, wantBackup)
			}
			if b, _ := os.ReadFile(wantBackup); !bytes.Equal(b, orig) {
				t.Errorf("backup content differs")
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
				t.Errorf("mode not kept: %v", fi.Mode().Perm())
			}
			ch, err = installer.UninstallFile(c.Spec, installer.ScopeUser, path, m, false, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Backup != wantBackup+"-2" {
				t.Errorf("second backup in the same second: %q", ch.Backup)
			}
			got, _ := os.ReadFile(path)
			if !bytes.Equal(got, orig) {
				t.Errorf("not restored:\n%s", installer.Diff("orig", "got", orig, got))
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
				t.Errorf("mode not kept: %v", fi.Mode().Perm())
			}
			left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*bulwark-tmp*"))
			if len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

func TestInstallFileBrokenLeftUntouched(t *testing.T) {
	env := testEnv(t)
	path, _ := Claude.SettingsPath(installer.ScopeUser, env)
	orig, _ := os.ReadFile("testdata/claude/broken.json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, orig, 0o640)
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(path, old, old)
	m := emptyManifest()
	_, err := installer.InstallFile(Claude.Spec, installer.ScopeUser, path, optsFor(Claude), m, false, testNow)
	if err == nil || !strings.Contains(err.Error(), path+": line 6, column 3: ") {
		t.Fatalf("error = %v", err)
	}
	if _, err := installer.UninstallFile(Claude.Spec, installer.ScopeUser, path, m, false, testNow); err == nil {
		t.Errorf("uninstall accepted the broken file")
	}
	got, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if !bytes.Equal(got, orig) || fi.Mode().Perm() != 0o640 || !fi.ModTime().Equal(old) {
		t.Errorf("broken file was touched")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 || len(m.Files) != 0 {
		t.Errorf("extra files %v or manifest entries %v", entries, m.Files)
	}
}

func TestInstallFileThroughSymlink(t *testing.T) {
	env := testEnv(t)
	path, _ := Claude.SettingsPath(installer.ScopeUser, env)
	dots := filepath.Join(env.Home, "dotfiles", "claude-settings.json")
	os.MkdirAll(filepath.Dir(dots), 0o755)
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(dots, []byte("{\n  \"model\": \"opus\"\n}\n"), 0o600)
	if err := os.Symlink("../dotfiles/claude-settings.json", path); err != nil {
		t.Skip("no symlinks:", err)
	}
	m := emptyManifest()
	ch, err := installer.InstallFile(Claude.Spec, installer.ScopeUser, path, optsFor(Claude), m, false, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Symlink() || ch.Target != dots {
		t.Errorf("target = %q, symlink %v", ch.Target, ch.Symlink())
	}
	if fi, _ := os.Lstat(path); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(dots); !strings.Contains(string(b), "hook --client claude") {
		t.Errorf("target not written")
	}
	if m.Files[dots] == nil {
		t.Errorf("manifest not keyed by the target: %v", m.Files)
	}
	if _, err := installer.UninstallFile(Claude.Spec, installer.ScopeUser, path, m, false, testNow); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dots); string(b) != "{\n  \"model\": \"opus\"\n}\n" {
		t.Errorf("not restored: %q", b)
	}
}

func TestInstallFileDryRun(t *testing.T) {
	env := testEnv(t)
	path, _ := Gemini.SettingsPath(installer.ScopeProject, env)
	m := emptyManifest()
	ch, err := installer.InstallFile(Gemini.Spec, installer.ScopeProject, path, optsFor(Gemini), m, true, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ch.Diff(), "+      \"BeforeTool\": [") && !strings.Contains(ch.Diff(), "\"BeforeTool\"") {
		t.Errorf("diff = %s", ch.Diff())
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("dry run created %s", filepath.Dir(path))
	}
	if len(m.Files) != 0 {
		t.Errorf("dry run recorded %v", m.Files)
	}
}
