package installer

import "strings"

// A client that runs a hook command through a POSIX shell (sh -c, bash -c,
// the user's zsh or bash) lets the call run when the command fails in a way
// its protocol does not count as a block: the binary missing (127), not
// executable (126), crashed or killed by a signal (1, 128+n, or no status
// at all). Only exit 2 with a reason on stderr blocks everywhere. So for
// those clients bulwark's command ends in a fallback that the shell runs
// when the binary did not answer:
//
//	"/abs/bulwark" hook --client codex --profile balanced || { r=$?; [ $r = 2 ] || { cat >/dev/null; echo "bulwark failed to run (exit $r), …" >&2; }; exit 2; }
//
// Exit 0 (an answer on stdout) never reaches the fallback, so an allow stays
// an allow. Exit 2 (bulwark's own block, its reason already on stderr)
// passes through unchanged. Anything else becomes exit 2 with a one-line
// reason on stderr (Codex and Gemini CLI let the call run on an exit 2 with
// nothing to say), after the rest of the event is read (a client whose write
// of a large event meets a closed pipe counts the hook as failed and runs
// the call).
//
// It is plain POSIX sh, which every shell these clients pick reads the same
// (dash, bash, zsh; Codex never runs hooks under fish). What it cannot cover:
// the client's own timeout (it kills the shell: Claude Code's onFailure
// "block" covers that from 2.1.295), a binary replaced by one that exits 0
// with nothing (that is tampering, which the protected set stops the agent
// from doing), and a client that does not run the command at all (Codex
// before trust, hooks switched off). The text is fixed: Codex trusts a hook
// by a hash of its command.
const failClosedSuffix = ` || { r=$?; [ $r = 2 ] || { cat >/dev/null; echo "` + FallbackNotice + `$r), so this call is blocked: ask the user to run bulwark doctor" >&2; }; exit 2; }`

// FallbackNotice starts the line the fallback writes on stderr (doctor
// tells a failed binary from a deny by it).
const FallbackNotice = "bulwark failed to run (exit "

// FailClosedCommand is cmd (a HookCommand) followed by the shell fallback.
func FailClosedCommand(cmd string) string { return cmd + failClosedSuffix }

// splitFallback returns cmd without the fallback and whether it had it.
func splitFallback(cmd string) (string, bool) {
	if plain, ok := strings.CutSuffix(cmd, failClosedSuffix); ok {
		return plain, true
	}
	return cmd, false
}

// PlainCommand is cmd without the shell fallback (cmd itself when it has
// none).
func PlainCommand(cmd string) string {
	plain, _ := splitFallback(cmd)
	return plain
}

// Command is the hook command install writes for the client: HookCommand,
// with the shell fallback where the client runs it through a shell
// (Spec.FailClosed).
func (s *Spec) Command(binary, profile string) string {
	cmd := HookCommand(binary, s.Client, profile)
	if s.FailClosed {
		return FailClosedCommand(cmd)
	}
	return cmd
}

// CommandForms are the hook commands any bulwark version wrote for a binary,
// client and profile: the plain command (every install before the fallback,
// and Cursor's) and the command with the fallback. Install updates either in
// place and uninstall removes either.
func CommandForms(binary, client, profile string) []string {
	cmd := HookCommand(binary, client, profile)
	return []string{cmd, FailClosedCommand(cmd)}
}
