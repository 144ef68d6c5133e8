package interp

import "strings"

// callKind is what a recognised call does.
type callKind int

const (
	ckNone     callKind = iota
	ckShell             // runs its argument as a shell command (or argv when several/list)
	ckArgv              // runs argv: cmd and a list/array of args
	ckRmRF              // rm -r -f P
	ckRmF               // rm -f P
	ckRmdir             // rmdir P
	ckRmOpt             // rm -f P, or -r -f with {recursive: true}
	ckRmdirOpt          // rmdir P, or rm -r -f with {recursive: true}
	ckRead              // cat P
	ckWrite             // tee P
	ckAppend            // tee -a P
	ckOpen              // cat/tee depending on the mode argument
	ckCopy              // cp A B
	ckCopyR             // cp -r A B
	ckCopyOpt           // cp A B, or cp -r A B with {recursive: true}
	ckMove              // mv A B
	ckChmod             // chmod MODE P...
	ckChmodR            // chmod -R MODE P...
	ckChown             // chown OWNER P...
	ckChownR            // chown -R OWNER P...
)

func lastComp(name string) string {
	name = strings.TrimPrefix(name, ".")
	if i := strings.LastIndexAny(name, ".:"); i >= 0 {
		return name[i+1:]
	}
	return name
}

// classify maps a called name (dotted, as written) to what it does.
func (s *scanner) classify(name string) callKind {
	last := lastComp(name)
	bare := strings.TrimPrefix(name, ".")
	switch s.lang {
	case Python:
		switch bare {
		case "os.system", "system", "os.popen", "popen", "subprocess.getoutput", "subprocess.getstatusoutput",
			"getoutput", "getstatusoutput", "commands.getoutput", "pty.spawn":
			return ckShell
		case "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
			"subprocess.Popen", "Popen", "check_output", "check_call", "sp.run", "sp.call", "sp.check_output", "sp.Popen":
			return ckShell
		case "os.execvp", "os.execv", "os.execvpe", "os.execve", "os.spawnvp", "os.spawnv":
			return ckArgv
		case "shutil.rmtree", "rmtree":
			return ckRmRF
		case "os.remove", "os.unlink":
			return ckRmF
		case "os.rmdir", "os.removedirs":
			return ckRmdir
		case "open", "io.open", "codecs.open":
			return ckOpen
		case "shutil.copy", "shutil.copy2", "shutil.copyfile", "copyfile", "copy2":
			return ckCopy
		case "shutil.copytree", "copytree", "distutils.dir_util.copy_tree":
			return ckCopyR
		case "shutil.move", "os.rename", "os.replace", "os.renames":
			return ckMove
		case "os.chmod", "os.lchmod", "chmod", "lchmod":
			if !strings.HasPrefix(name, ".") { // not a method (Path(p).chmod: pathMethod)
				return ckChmod
			}
		case "os.chown", "os.lchown", "shutil.chown", "chown", "lchown":
			if !strings.HasPrefix(name, ".") {
				return ckChown
			}
		}
	case Node:
		prefix := strings.TrimSuffix(strings.TrimPrefix(name, "."), last)
		prefix = strings.TrimSuffix(prefix, ".")
		switch last {
		case "exec", "execSync":
			if prefix == "" || strings.Contains(strings.ToLower(prefix), "child") || prefix == "cp" || strings.HasPrefix(name, ".") {
				return ckShell
			}
		case "spawn", "spawnSync", "execFile", "execFileSync":
			return ckArgv
		case "rmSync", "rm":
			if prefix == "" || strings.Contains(prefix, "fs") || strings.HasPrefix(name, ".") {
				return ckRmOpt
			}
		case "rmdirSync", "rmdir":
			return ckRmdirOpt
		case "rimraf", "rimrafSync", "removeSync", "emptyDirSync", "deleteSync":
			return ckRmRF
		case "remove":
			if strings.Contains(prefix, "fs") || prefix == "Deno" {
				return ckRmOpt
			}
		case "sync":
			if strings.HasSuffix(prefix, "rimraf") {
				return ckRmRF
			}
		case "unlinkSync", "unlink":
			return ckRmF
		case "readFileSync", "readFile", "readTextFile", "readTextFileSync":
			return ckRead
		case "writeFileSync", "writeFile", "outputFileSync", "writeTextFile", "writeTextFileSync":
			return ckWrite
		case "appendFileSync", "appendFile":
			return ckAppend
		case "copyFileSync", "copyFile":
			return ckCopy
		case "cpSync", "cp", "copySync", "copy":
			if strings.Contains(prefix, "fs") || prefix == "Deno" {
				return ckCopyOpt
			}
		case "renameSync", "rename", "moveSync", "move":
			if strings.Contains(prefix, "fs") || prefix == "Deno" {
				return ckMove
			}
		case "chmodSync", "lchmodSync":
			return ckChmod
		case "chownSync", "lchownSync":
			return ckChown
		case "chmod", "lchmod":
			if strings.Contains(prefix, "fs") || prefix == "Deno" {
				return ckChmod
			}
		case "chown", "lchown":
			if strings.Contains(prefix, "fs") || prefix == "Deno" {
				return ckChown
			}
		}
	case Ruby:
		switch bare {
		case "system", "exec", "spawn", "IO.popen", "Open3.capture2", "Open3.capture2e", "Open3.capture3",
			"Open3.popen3", "Open3.popen2", "Kernel.system", "Kernel.exec", "Process.spawn":
			return ckShell
		case "FileUtils.rm_rf", "FileUtils.rm_r", "FileUtils.remove_dir", "FileUtils.remove_entry",
			"FileUtils.remove_entry_secure", "FileUtils.rmtree", "rm_rf", "rm_r":
			return ckRmRF
		case "FileUtils.rm", "FileUtils.rm_f", "FileUtils.remove", "File.delete", "File.unlink":
			return ckRmF
		case "Dir.rmdir", "Dir.delete", "Dir.unlink", "FileUtils.rmdir":
			return ckRmdir
		case "File.read", "IO.read", "File.readlines", "IO.readlines", "File.binread", "File.foreach", "IO.foreach":
			return ckRead
		case "File.write", "IO.write", "File.binwrite":
			return ckWrite
		case "File.open", "open":
			return ckOpen
		case "File.chmod", "File.lchmod", "FileUtils.chmod", "chmod":
			if !strings.HasPrefix(name, ".") { // f.chmod(mode) on an open file: its path is not known here
				return ckChmod
			}
		case "FileUtils.chmod_R", "chmod_R":
			return ckChmodR
		case "File.chown", "File.lchown", "FileUtils.chown", "chown":
			if !strings.HasPrefix(name, ".") {
				return ckChown
			}
		case "FileUtils.chown_R", "chown_R":
			return ckChownR
		}
	case Perl:
		switch bare {
		case "system", "exec":
			return ckShell
		case "unlink":
			return ckRmF
		case "rmtree", "remove_tree", "File::Path::rmtree", "File::Path::remove_tree":
			return ckRmRF
		case "rmdir":
			return ckRmdir
		case "open":
			return ckOpen
		case "chmod":
			return ckChmod
		case "chown":
			return ckChown
		}
	case Lua:
		switch bare {
		case "os.execute", "io.popen":
			return ckShell
		case "os.remove":
			return ckRmF
		case "os.rename":
			return ckMove
		case "io.open":
			return ckOpen
		case "io.lines":
			return ckRead
		}
	case PHP:
		switch bare {
		case "shell_exec", "system", "passthru", "exec", "popen", "proc_open", "pcntl_exec":
			return ckShell
		case "unlink":
			return ckRmF
		case "rmdir":
			return ckRmdir
		case "file_get_contents", "readfile", "file", "highlight_file", "show_source":
			return ckRead
		case "file_put_contents":
			return ckWrite
		case "fopen":
			return ckOpen
		case "chmod", "lchmod":
			return ckChmod
		case "chown", "lchown", "chgrp", "lchgrp":
			return ckChown
		}
	}
	return ckNone
}

// pathMethod maps a method called on a path object (python pathlib) to what
// it does.
func pathMethod(m string) callKind {
	switch m {
	case ".unlink":
		return ckRmF
	case ".rmdir":
		return ckRmdir
	case ".read_text", ".read_bytes":
		return ckRead
	case ".write_text", ".write_bytes":
		return ckWrite
	case ".open":
		return ckOpen
	case ".chmod", ".lchmod":
		return ckChmod
	}
	return ckNone
}
