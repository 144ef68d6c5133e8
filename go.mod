module github.com/bulwark-guard/bulwark

go 1.26.8
