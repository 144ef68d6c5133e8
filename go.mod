module github.com/bulwark-guard/bulwark

go 1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/dlclark/regexp2 v1.12.0
	github.com/fsnotify/fsnotify v1.10.1
	github.com/rogpeppe/go-internal v1.16.0
	golang.org/x/sys v0.47.0
	golang.org/x/term v0.45.0
	mvdan.cc/sh/v3 v3.14.1
)

require golang.org/x/tools v0.38.0 // indirect

replace github.com/dlclark/regexp2 => ./third_party/regexp2

replace mvdan.cc/sh/v3 => ./third_party/sh

replace github.com/BurntSushi/toml => ./third_party/toml
